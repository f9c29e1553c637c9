"""Numbers the outbox's new rows, publishes them to Kafka in that order, and marks what Kafka acknowledged.

One relay works at a time: replicas compete for a lease, so two never interleave and the
per-workplace order holds. Writers leave their rows unnumbered (`outbox`): the relay numbers
them first, whether Kafka answers or not, so the events page shows them at once. Kafka being
down (even at start-up) only delays publishing; the rows wait in the store and go out, in
order, once it answers.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, datetime, timedelta

from faststream.kafka import KafkaBroker
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from organising_shared.kafka import ensure_organising_topics
from organising_shared.topics import Topics
from organising_shared.waiting import stop_if_cancelled, wait_at_most
from recruitment import outbox
from recruitment.config import RecruitmentSettings
from recruitment.store import LEASES, OUTBOX

log = logging.getLogger(__name__)

_LEASE_ID = "outbox-relay"


def _headers(entry: dict, row: dict) -> dict[str, str]:
    headers = {"event_id": entry["event_id"], "event_type": entry["event_type"]}
    # The writing request's trace goes on in the consumers (observability.tracing); a group's row
    # holds several requests' events, each with its own.
    if traceparent := entry.get("traceparent") or row.get("traceparent"):
        headers["traceparent"] = traceparent
    return headers


class RelayLease:
    """A lease document: whoever holds an unexpired lease is the only publishing replica."""

    def __init__(self, db: AsyncDatabase, *, seconds: float) -> None:
        self._leases = db[LEASES]
        self._seconds = seconds
        self._holder = secrets.token_hex(8)
        self._valid_until: datetime | None = None

    async def hold(self) -> bool:
        now = datetime.now(UTC)
        # Renew only when a third of the lease has passed: no store write for every batch.
        if self._valid_until and self._valid_until - now > timedelta(seconds=self._seconds * 2 / 3):
            return True
        until = now + timedelta(seconds=self._seconds)
        try:
            await self._leases.find_one_and_update(
                {"_id": _LEASE_ID, "$or": [{"holder": self._holder}, {"until": {"$lt": now}}]},
                {"$set": {"holder": self._holder, "until": until}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # another replica holds it: the upsert collided with its row
            self._valid_until = None
            return False
        self._valid_until = until
        return True

    async def release(self) -> None:
        if self._valid_until:
            await self._leases.delete_one({"_id": _LEASE_ID, "holder": self._holder})
            self._valid_until = None


class OutboxRelay:
    def __init__(self, db: AsyncDatabase, broker: KafkaBroker, settings: RecruitmentSettings) -> None:
        self._db = db
        self._outbox = db[OUTBOX]
        self._broker = broker
        self._settings = settings
        self._topics: Topics = settings.topics
        self._lease = RelayLease(db, seconds=settings.relay_lease_seconds)
        self._wake = asyncio.Event()
        self._connected = False
        self._position: int | None = None

    def wake(self) -> None:
        """Called after a write commits, so a new event goes out without waiting for the next poll."""
        self._wake.set()

    @property
    def connected(self) -> bool:
        return self._connected

    async def run(self) -> None:
        try:
            while True:
                stop_if_cancelled()
                try:
                    if not await self._lease.hold():
                        self._position = None  # another replica publishes now: re-read when back
                        await self._idle(self._settings.relay_lease_seconds / 3)
                        continue
                    await outbox.number_waiting(self._db, most_rows=self._settings.relay_batch)
                    await self._connect()
                    # A round that never completes (a producer wedged by a broker restart, a store
                    # reply that never comes) must not hold the outbox forever: it is abandoned and
                    # sent again by a new producer.
                    async with asyncio.timeout(self._settings.relay_round_timeout_seconds):
                        published = await self.publish_pending()
                    if published == 0:
                        await self._idle(self._settings.relay_idle_seconds)
                    else:
                        # Under load, let a few more writes commit: one round for many rows costs
                        # the store two operations instead of two per row.
                        await asyncio.sleep(self._settings.relay_linger_seconds)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - Kafka or the store is away: wait and retry
                    self._position = None
                    # The type only: an error's text could quote a message, and messages are events.
                    log.warning("outbox relay: %s; retrying in %.1f s", type(error).__name__, self._settings.relay_retry_seconds)
                    await self._disconnect()
                    await asyncio.sleep(self._settings.relay_retry_seconds)
        finally:
            await asyncio.shield(self._lease.release())

    async def _connect(self) -> None:
        if self._connected:
            return
        if not self._broker.running:
            try:
                await self._broker.start()
            except Exception:
                await self._broker.stop()  # close the half-started producer before the next try
                raise
        await ensure_organising_topics(self._settings)
        self._connected = True
        log.info("outbox relay connected to Kafka")

    async def _disconnect(self) -> None:
        """Drop the producer after a failure: aiokafka's can stay wedged once its broker restarted.

        The next round starts a fresh one. Rows it had sent but not seen acknowledged go out again
        with the same event_id, which consumers drop (docs/contract.md).
        """
        self._connected = False
        try:
            await self._broker.stop()
        except Exception as error:  # noqa: BLE001 - closing a broken producer may fail too
            log.warning("outbox relay: closing the producer failed (%s)", type(error).__name__)

    async def _idle(self, seconds: float) -> None:
        await wait_at_most(self._wake.wait(), seconds)
        self._wake.clear()

    async def publish_pending(self) -> int:
        """Send the rows after the published position, pipelined in order; advance past each acknowledged row."""
        if self._position is None:
            # Read once per lease: while it holds the lease, only this relay moves the position.
            self._position = await outbox.published_up_to(self._db)
        position = self._position
        rows, events = [], 0
        # By `seq`, whose index the store walks.
        cursor = self._outbox.find({"seq": {"$gt": position}}, sort=[("seq", 1)], limit=self._settings.relay_batch, batch_size=16)
        try:
            async for row in cursor:
                rows.append(row)
                events += len(row["events"])
                if events >= self._settings.relay_batch:
                    break  # an import row holds hundreds of events: enough for one round
        finally:
            await cursor.close()
        if not rows:
            return 0
        # Sends to one partition leave in the order they are handed to the idempotent producer,
        # which keeps that order across its own retries; waiting for all at once is what makes
        # the relay fast.
        deliveries = [
            [
                await self._broker.publish(
                    entry["value"],
                    self._topics.for_event_type(entry["event_type"]),
                    key=entry["key"],
                    headers=_headers(entry, row),
                    no_confirm=True,
                )
                for entry in row["events"]
            ]
            for row in rows
        ]
        outcomes = [await asyncio.gather(*row_deliveries, return_exceptions=True) for row_deliveries in deliveries]
        failed = next(
            (index for index, row_outcomes in enumerate(outcomes) if any(isinstance(o, BaseException) for o in row_outcomes)), None
        )
        acknowledged = rows if failed is None else rows[:failed]
        if acknowledged:
            await outbox.mark_published(self._db, acknowledged[-1]["seq"])
            self._position = acknowledged[-1]["seq"]
        if failed is not None:
            # The position stops before the failed row: it is sent again, whole, next round. Those
            # of its events (and of later rows) that did arrive arrive twice, with the same event_id.
            raise next(o for o in outcomes[failed] if isinstance(o, BaseException))
        return events
