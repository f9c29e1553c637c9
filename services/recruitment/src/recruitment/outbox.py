"""The transactional outbox: events are stored with the state that caused them, in one transaction.

A write's events form one outbox row (a few hundred for a chunk of a CSV import: one document
instead of hundreds is what makes imports fast), and the writes of one federation that share a
group transaction share one row (`merged_by_federation`). Every event gets the
next value of one counter, incremented in the same transaction; a row's `_id` is the sequence of
its first event and `last` that of its last. Because concurrent writes conflict on the counter,
a row becomes visible only after every row with a smaller `_id`: the relay can publish in `_id`
order and remember a single position, and every workplace's events reach Kafka in the order
they were written.

Each row also carries its `_id` as `seq`, under an ascending index of its own: SecantusDB
answers a range query on `_id` by scanning the whole collection (the outbox is kept, so that
cost grows with every write), but walks a secondary index for one. The relay scans by `seq`.

Group commit (`group_commit`): the writes that share one transaction defer their rows
(`numbered_at_commit`), which are numbered with one counter bump and inserted at once at the end
of the transaction, in the order the writes ran. The rule above is unchanged: the counter is
still touched by every transaction that writes events, once.

A row also keeps when it was written (`at`, for the age of the oldest row waiting: see
`outbox_metrics`) and the `traceparent` of the request that wrote it (each event's own, in a
group's row), which the relay sends with the event, so that a trace goes on from the HTTP
request to the consumers.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.events import Envelope, to_json
from organising_shared.observability.tracing import current_traceparent
from organising_shared.topics import message_key
from recruitment.store import COUNTERS, OUTBOX

COUNTER_ID = "outbox"


@dataclass(frozen=True)
class Outgoing:
    event: Envelope
    workplace_id: str | None = None  # for case progress and closure, whose data has no workplace
    sector: str | None = None  # for a plan item's progress, whose data has no sector


@dataclass
class DeferredRows:
    """The rows of a group's writes, numbered when the group's transaction is about to commit."""

    session: AsyncClientSession
    rows: list[dict[str, Any]] = field(default_factory=list)
    traceparent: str | None = None  # of the request whose write runs now (the committer runs outside it)
    db: AsyncDatabase | None = None

    async def number(self) -> tuple[AsyncCollection, list[dict[str, Any]]] | None:
        """Number the rows waiting (one counter bump) and hand them over for the caller to insert."""
        if not self.rows or self.db is None:
            return None
        rows, self.rows = merged_by_federation(self.rows), []
        await _number(self.db, self.session, rows)
        return self.db[OUTBOX], rows


def merged_by_federation(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive rows of one federation as one row: a group's writes of one federation cost the
    store one document instead of one each (a quarter of what a registration inserts). Each event
    keeps the traceparent of the request that wrote it; the row keeps the oldest `at`."""
    merged: list[dict[str, Any]] = []
    for row in rows:
        if not merged or merged[-1]["federation"] != row["federation"]:
            merged.append({"federation": row["federation"], "events": [], "at": row["at"]})
        traceparent = row.get("traceparent")
        merged[-1]["events"].extend({**entry, "traceparent": traceparent} if traceparent else entry for entry in row["events"])
    return merged


_deferred: ContextVar[DeferredRows | None] = ContextVar("outbox_deferred_rows", default=None)


@contextlib.asynccontextmanager
async def numbered_at_commit(session: AsyncClientSession) -> AsyncIterator[DeferredRows]:
    """Within the block, `append` on `session` defers its row; at the block's end they are numbered and stored."""
    deferred = DeferredRows(session)
    token = _deferred.set(deferred)
    try:
        yield deferred
    finally:
        _deferred.reset(token)
    if deferred.rows and deferred.db is not None:
        await _store(deferred.db, session, deferred.rows)


async def append(db: AsyncDatabase, session: AsyncClientSession, outgoing: list[Outgoing]) -> int | None:
    """Store one write's events (all of one federation) within `session`'s transaction.

    Returns the row's `_id`; None when the row is numbered at the end of a group (`numbered_at_commit`).
    """
    if not outgoing:
        raise ValueError("an outbox row holds at least one event")
    events = [_entry(item) for item in outgoing]
    federations = {item.event.federation for item in outgoing}
    if len(federations) != 1:
        raise ValueError("an outbox row holds the events of one federation")
    deferred = _deferred.get()
    if deferred is not None and deferred.session is session:
        deferred.rows.append(_row(federations.pop(), events, deferred.traceparent))
        deferred.db = db
        return None
    rows = [_row(federations.pop(), events, current_traceparent())]
    await _store(db, session, rows)
    return rows[0]["_id"]


def _row(federation: str, events: list[dict], traceparent: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"federation": federation, "events": events, "at": datetime.now(UTC)}
    if traceparent:
        row["traceparent"] = traceparent
    return row


async def _store(db: AsyncDatabase, session: AsyncClientSession, rows: list[dict[str, Any]]) -> None:
    await _number(db, session, rows)
    await db[OUTBOX].insert_many(rows, session=session)


async def _number(db: AsyncDatabase, session: AsyncClientSession, rows: list[dict[str, Any]]) -> None:
    """Number `rows` (in place) with one counter bump."""
    total = sum(len(row["events"]) for row in rows)
    # The counter is the one document every write shares: it is touched as late as possible (after
    # every write of a group ran) so that concurrent transactions hold it, and conflict on it,
    # for the shortest time.
    counter = await db[COUNTERS].find_one_and_update(
        {"_id": COUNTER_ID}, {"$inc": {"value": total}}, upsert=True, return_document=ReturnDocument.AFTER, session=session
    )
    assert counter is not None  # upserted
    first = counter["value"] - total + 1
    for row in rows:
        last = first + len(row["events"]) - 1
        row.update({"_id": first, "seq": first, "last": last})
        first = last + 1


def _entry(item: Outgoing) -> dict:
    event = item.event
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "key": message_key(event, workplace_id=item.workplace_id, sector=item.sector),
        "value": to_json(event),
    }


async def published_up_to(db: AsyncDatabase) -> int:
    """The `_id` of the last outbox row the relay has published (0 before the first)."""
    position = await db[COUNTERS].find_one({"_id": PUBLISHED_ID})
    return position["row"] if position else 0


PUBLISHED_ID = "published"


async def mark_published(db: AsyncDatabase, row_id: int) -> None:
    # $max: a relay that lost its lease mid-batch can never move the position backwards.
    await db[COUNTERS].update_one({"_id": PUBLISHED_ID}, {"$max": {"row": row_id}}, upsert=True)
