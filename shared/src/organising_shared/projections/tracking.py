"""Where each projection has got to: the last applied offset of every partition it consumes,
stored in the projection's own database and written in the same transaction as what it applied
(docs/architecture.md, "Exactly-once projections"). One document per projection and partition;
its id format, its reads and its writes live here only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.projections.batch import Position

OFFSETS_COLLECTION = "projection_offsets"


def offsets_of(database: AsyncDatabase) -> AsyncCollection:
    return database[OFFSETS_COLLECTION]


def position_id(projection: str, topic: str, partition: int) -> str:
    return f"{projection}|{topic}|{partition}"


async def stored_positions(offsets: AsyncCollection, projection: str, session: AsyncClientSession | None = None) -> dict[Position, int]:
    """The last applied offset of every partition `projection` has applied something from."""
    return {(row["topic"], row["partition"]): row["offset"] async for row in offsets.find({"projection": projection}, session=session)}


async def advance_positions(
    offsets: AsyncCollection, projection: str, reached: Mapping[Position, int], session: AsyncClientSession
) -> None:
    """Record that `projection` has applied up to `reached`; a position never moves back."""
    if not reached:
        return
    await offsets.bulk_write(
        [
            UpdateOne(
                {"_id": position_id(projection, topic, partition)},
                {"$max": {"offset": offset}, "$set": {"projection": projection, "topic": topic, "partition": partition}},
                upsert=True,
            )
            for (topic, partition), offset in reached.items()
        ],
        session=session,
        ordered=False,
    )


async def retire_positions(offsets: AsyncCollection, projection: str, positions: Iterable[Position], session: AsyncClientSession) -> None:
    """Write every row of `positions` for `projection` (a missing one at -1) without moving it,
    marked retired: a concurrent transaction advancing any of them then conflicts with this one
    (a rebuild's switch-over against the live consumer's last batch)."""
    await offsets.bulk_write(
        [
            UpdateOne(
                {"_id": position_id(projection, topic, partition)},
                {"$max": {"offset": -1}, "$set": {"projection": projection, "topic": topic, "partition": partition, "retired": True}},
                upsert=True,
            )
            for topic, partition in sorted(positions)
        ],
        session=session,
    )


async def forget_positions(offsets: AsyncCollection, projection: str) -> None:
    """Drop what `projection` had applied (its generation was dropped)."""
    await offsets.delete_many({"projection": projection})
