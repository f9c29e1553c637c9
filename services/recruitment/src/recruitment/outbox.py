"""The transactional outbox: events are stored with the state that caused them, in one transaction.

Each row gets the next value of one counter, incremented in the same transaction, so the outbox
order is the commit order: the relay publishing in `_id` order keeps every workplace's events in
the order they happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.events import Envelope, to_json
from organising_shared.topics import message_key
from recruitment.store import COUNTERS, OUTBOX

_COUNTER_ID = "outbox"


@dataclass(frozen=True)
class Outgoing:
    event: Envelope
    workplace_id: str | None = None  # for case progress and closure, whose data has no workplace


async def append(db: AsyncDatabase, session: AsyncClientSession, outgoing: list[Outgoing]) -> list[int]:
    """Store the events in the outbox within `session`'s transaction; returns their sequence numbers."""
    if not outgoing:
        return []
    # The counter is touched last: it is the one document every write shares, so the shorter a
    # transaction holds it, the fewer concurrent writes conflict on it.
    rows = [_row(item) for item in outgoing]
    counter = await db[COUNTERS].find_one_and_update(
        {"_id": _COUNTER_ID}, {"$inc": {"value": len(rows)}}, upsert=True, return_document=ReturnDocument.AFTER, session=session
    )
    first = counter["value"] - len(rows) + 1
    for offset, row in enumerate(rows):
        row["_id"] = first + offset
    await db[OUTBOX].insert_many(rows, ordered=True, session=session)
    return [row["_id"] for row in rows]


def _row(item: Outgoing) -> dict:
    event = item.event
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "federation": event.federation,
        "key": message_key(event, workplace_id=item.workplace_id),
        "value": to_json(event),
        "sent_at": None,
    }
