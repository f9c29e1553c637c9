"""Delivery outcomes written to the store in groups: one round trip for every outcome that
arrived while the previous write was in flight.

Each attempt waits for its own outcome to be stored (so "the attempt is over" still means "the
log says so"), but the attempts that finish together share one `bulk_write`. Nothing waits on a
timer: a lone outcome is written at once, and under load the group grows by itself to whatever
finished during one round trip. Every write's filter is a key lookup (`_id`, or `_id` with the
status and attempt count the claim left), so a write costs the same however long the delivery log grows.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from notifications.metrics import OUTCOME_WRITES_PENDING
from organising_shared.projections import retry_while_transient

log = logging.getLogger(__name__)


class OutcomeWriter:
    def __init__(self, collection: AsyncCollection) -> None:
        self._collection = collection
        self._queued: list[tuple[UpdateOne, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def write(self, operation: UpdateOne) -> None:
        """Store `operation` with whatever else is queued; returns once it is stored."""
        await self.write_many([operation])

    async def write_many(self, operations: list[UpdateOne]) -> None:
        loop = asyncio.get_running_loop()
        waiting: list[asyncio.Future[None]] = []
        for operation in operations:
            done: asyncio.Future[None] = loop.create_future()
            self._queued.append((operation, done))
            waiting.append(done)
        OUTCOME_WRITES_PENDING.inc(len(operations))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_all(), name="delivery-outcomes")
        # Shielded: an attempt cancelled meanwhile (a shutdown) does not take its outcome out
        # of a group already on its way; `drain()` waits for it.
        await asyncio.shield(asyncio.gather(*waiting))

    async def drain(self) -> None:
        """Wait until every queued outcome is stored (or has failed)."""
        while self._writing is not None:
            await asyncio.wait({self._writing})

    async def _write_all(self) -> None:
        try:
            while self._queued:
                group, self._queued = self._queued, []
                operations = [operation for operation, _ in group]
                try:
                    await retry_while_transient(
                        functools.partial(self._store, operations), what=f"recording {len(operations)} delivery outcomes"
                    )
                except Exception as error:  # noqa: BLE001 - handed to each waiting attempt
                    for _, done in group:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in group:
                        if not done.done():
                            done.set_result(None)
                finally:
                    OUTCOME_WRITES_PENDING.dec(len(group))
        finally:
            self._writing = None

    async def _store(self, operations: list[UpdateOne]) -> None:
        await self._collection.bulk_write(operations, ordered=False)
