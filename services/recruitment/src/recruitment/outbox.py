"""The transactional outbox: events are stored with the state that caused them, in one transaction.

A write's events form one outbox row (a few hundred for a chunk of a CSV import: one document
instead of hundreds is what makes imports fast), and the writes of one federation that share a
group transaction (`group_commit`) share one row (`merged_by_federation`): a document fewer per
write, and one row for the relay to number instead of one per write.

Writers do not number their rows. A row is written with `seq` 0 ("not numbered yet") and the
time it was written (`written_ns`); the relay, under its lease, numbers the rows waiting
(`number_waiting`): one counter bump per round gives every event the next value of one
sequence, and a row's `seq` is that of its first event and `last` that of its last (a row
carries its event `count`, so numbering reads no events). Writers therefore share no document:
concurrent transactions, of one process or of several replicas, do not conflict on the outbox
(when every write bumped the counter, they did, and took turns). The relay publishes numbered
rows in `seq` order and remembers a single position.

Order. The relay numbers the rows it finds in the order they were written (`written_ns`, taken
when the row is stored, after its writes ran and before they commit). Two writes of which
one depends on the other (it read what the first committed: a member's departure after their
registration, a case's progress after its report) are written in that order, since the second
runs only after the first committed, and are numbered and published in that order, provided the
replicas' clocks agree to within the time between the two writes (a client waits for the first
answer before it sends the second; on one host the clock is shared). Writes that do not depend
on each other (two registrations at one workplace, in flight at once) may be numbered in either
order, as they could have arrived in either order.

`seq` has an ascending index: the relay finds the rows waiting (`seq` 0) and those after its
position through it. SecantusDB answers a range query on `_id` by scanning the collection.

Rows written before this scheme have `_id` = `seq` (an integer); new rows have an ObjectId.

A row also keeps when it was written (`at`, for the age of the oldest row waiting: see
`outbox_metrics`) and the `traceparent` of the request that wrote it (each event's own, in a
group's row), which the relay sends with the event, so that a trace goes on from the HTTP
request to the consumers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.events import Envelope, to_json
from organising_shared.observability.tracing import current_traceparent
from organising_shared.topics import message_key
from recruitment import group_commit
from recruitment.store import COUNTERS, OUTBOX

COUNTER_ID = "outbox"
NOT_NUMBERED = 0


@dataclass(frozen=True)
class Outgoing:
    event: Envelope
    workplace_id: str | None = None  # for case progress and closure, whose data has no workplace
    sector: str | None = None  # for a plan item's progress, whose data has no sector


@dataclass
class GroupRows:
    """The rows of a group's writes, stored together once the group's writes have all run."""

    db: AsyncDatabase
    session: AsyncClientSession
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def finish(self) -> None:
        rows, self.rows = merged_by_federation(self.rows), []
        for row in rows:
            row["written_ns"] = time.time_ns()
        await group_commit.insert(self.db[OUTBOX], rows, session=self.session)


async def append(db: AsyncDatabase, session: AsyncClientSession, outgoing: list[Outgoing]) -> None:
    """Store one write's events (all of one federation) within `session`'s transaction, not numbered yet.

    In a group's transaction the row waits for the group's other writes (`GroupRows`).
    """
    if not outgoing:
        raise ValueError("an outbox row holds at least one event")
    events = [_entry(item) for item in outgoing]
    federations = {item.event.federation for item in outgoing}
    if len(federations) != 1:
        raise ValueError("an outbox row holds the events of one federation")
    row: dict[str, Any] = {
        "federation": federations.pop(),
        "events": events,
        "count": len(events),
        "seq": NOT_NUMBERED,
        "at": datetime.now(UTC),
    }
    if traceparent := group_commit.writing_traceparent.get() or current_traceparent():
        row["traceparent"] = traceparent
    if (group := group_commit.group_state(session, "outbox", lambda: GroupRows(db, session))) is not None:
        group.rows.append(row)
        return
    row["written_ns"] = time.time_ns()
    await group_commit.insert(db[OUTBOX], [row], session=session)


def merged_by_federation(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive rows of one federation as one row, each event keeping the traceparent of the
    request that wrote it; the row keeps the oldest `at`."""
    merged: list[dict[str, Any]] = []
    for row in rows:
        if not merged or merged[-1]["federation"] != row["federation"]:
            merged.append({"federation": row["federation"], "events": [], "seq": NOT_NUMBERED, "at": row["at"]})
        traceparent = row.get("traceparent")
        merged[-1]["events"].extend({**entry, "traceparent": traceparent} if traceparent else entry for entry in row["events"])
    for row in merged:
        row["count"] = len(row["events"])
    return merged


async def number_waiting(db: AsyncDatabase, *, most_rows: int) -> int:
    """Number up to `most_rows` rows waiting, oldest written first, with one counter bump; the rows numbered.

    Run by the relay each round, and by the events page before it reads (so that a federation
    reads its own writes at once). Numberings run one after another: two at once conflict on the
    counter and the rows, the store refuses one and the driver runs it again, so a row is never
    numbered twice, and numbers become visible in their order (no gap the relay could pass).
    """

    # Most rounds find nothing: a read outside any transaction says so without starting one.
    if await db[OUTBOX].find_one({"seq": NOT_NUMBERED}, {"_id": 1}) is None:
        return 0

    async def number(session: AsyncClientSession) -> int:
        # `count`, not the events: an import chunk's row holds a thousand of them.
        waiting = (
            await db[OUTBOX]
            .find(
                {"seq": NOT_NUMBERED},
                {"count": 1, "written_ns": 1},
                sort=[("written_ns", 1), ("_id", 1)],
                limit=most_rows,
                session=session,
            )
            .to_list()
        )
        if not waiting:
            return 0
        total = sum(row["count"] for row in waiting)
        counter = await db[COUNTERS].find_one_and_update(
            {"_id": COUNTER_ID}, {"$inc": {"value": total}}, upsert=True, return_document=ReturnDocument.AFTER, session=session
        )
        assert counter is not None  # upserted
        first = counter["value"] - total + 1
        updates = []
        for row in waiting:
            last = first + row["count"] - 1
            updates.append(UpdateOne({"_id": row["_id"], "seq": NOT_NUMBERED}, {"$set": {"seq": first, "last": last}}))
            first = last + 1
        result = await db[OUTBOX].bulk_write(updates, ordered=True, session=session)
        if result.modified_count != len(updates):  # another relay numbered one of them: start again
            raise RuntimeError("outbox rows numbered by another relay meanwhile")
        return len(updates)

    async with db.client.start_session() as session:
        return await session.with_transaction(number)


def _entry(item: Outgoing) -> dict:
    event = item.event
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "key": message_key(event, workplace_id=item.workplace_id, sector=item.sector),
        "value": to_json(event),
    }


async def published_up_to(db: AsyncDatabase) -> int:
    """The `seq` of the last outbox row the relay has published (0 before the first)."""
    position = await db[COUNTERS].find_one({"_id": PUBLISHED_ID})
    return position["row"] if position else 0


async def all_published(db: AsyncDatabase) -> bool:
    """Whether every row written so far is numbered and published (for tests and benchmarks)."""
    if await db[OUTBOX].find_one({"seq": NOT_NUMBERED}, {"_id": 1}):
        return False
    last = await db[OUTBOX].find_one({"seq": {"$gt": NOT_NUMBERED}}, {"seq": 1}, sort=[("seq", -1)])
    return last is None or await published_up_to(db) >= last["seq"]


PUBLISHED_ID = "published"


async def mark_published(db: AsyncDatabase, seq: int) -> None:
    """Move the published position to the row numbered `seq` (a row's first event's number)."""
    # $max: a relay that lost its lease mid-batch can never move the position backwards.
    await db[COUNTERS].update_one({"_id": PUBLISHED_ID}, {"$max": {"row": seq}}, upsert=True)
