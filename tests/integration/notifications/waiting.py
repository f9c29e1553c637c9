"""Polling helpers for the notifications tests (no sleeps: conditions with deadlines)."""

from __future__ import annotations

from organising_shared.projections import OFFSETS_COLLECTION
from tests.integration.helpers import eventually


async def consumed(database, counts: dict[str, int], *, timeout: float = 30.0) -> None:
    """Wait until the service has applied `counts[topic]` records of each (fresh) topic."""

    async def reached() -> bool:
        seen: dict[str, int] = {}
        async for row in database[OFFSETS_COLLECTION].find({"projection": "notifications"}):
            seen[row["topic"]] = seen.get(row["topic"], 0) + row["offset"] + 1
        return all(seen.get(topic, 0) >= count for topic, count in counts.items())

    await eventually(reached, timeout=timeout, what=f"records consumed {counts}")


async def settled(database, *, timeout: float = 30.0) -> None:
    """Wait until no delivery is waiting for an attempt or in one."""

    async def nothing_open() -> bool:
        return await database["deliveries"].count_documents({"status": {"$in": ["pending", "sending", "retrying"]}}) == 0

    await eventually(nothing_open, timeout=timeout, what="all deliveries settled")
