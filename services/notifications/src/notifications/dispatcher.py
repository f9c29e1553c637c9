"""The delivery worker: claims due deliveries, sends them concurrently, records what happened.

- A claim is an atomic update that marks due rows `sending` until `lease_until` under this
  claim's token and counts the attempt, so two workers never send the same row at once, and a
  row claimed by a worker that died is taken over when its lease runs out.
- Each attempt runs in its own task with its own deadline; at most `delivery_concurrency`
  attempts are in flight, and at most `delivery_per_receiver_concurrency` to one receiver (a web
  host or a mail domain): rows of a receiver at its limit are not claimed, so a hanging receiver
  ties up only its own slots and never delays the others.
- Success is final (`delivered`); a failure is retried with exponential backoff and jitter until
  `delivery_max_attempts`, then `failed`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from notifications.channels.base import DeliveryError, Sender
from notifications.config import NotificationsSettings
from notifications.domain.backoff import retry_delay
from notifications.metrics import DELIVERY_ATTEMPTS, DELIVERY_SECONDS
from notifications.store import DELIVERIES, SUBSCRIPTIONS, DeliveryStatus
from organising_shared.observability.logs import event_fields
from organising_shared.projections import retry_while_transient
from organising_shared.waiting import stop_if_cancelled, wait_at_most

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, database: AsyncDatabase, senders: Mapping[str, Sender], settings: NotificationsSettings) -> None:
        self._deliveries = database[DELIVERIES]
        self._subscriptions = database[SUBSCRIPTIONS]
        self._senders = senders
        self._settings = settings
        self._wake = asyncio.Event()
        self._attempts: set[asyncio.Task] = set()
        self._per_receiver: Counter[str] = Counter()

    def wake(self) -> None:
        """Look for due deliveries now (new rows were queued, or a slot came free)."""
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                stop_if_cancelled()
                self._wake.clear()
                try:
                    await self._start_due_attempts()
                except Exception as error:  # noqa: BLE001 - the store may be away; try again shortly
                    log.warning("claiming deliveries failed (%s: %s)", type(error).__name__, error)
                await wait_at_most(self._wake.wait(), self._settings.delivery_poll_seconds)
        finally:
            await self._stop_attempts()

    async def _start_due_attempts(self) -> None:
        # A batch at a time: one search for due rows, one update that claims those the limits
        # allow, one read of what was claimed and of their subscriptions. Store round trips, not
        # receivers, bound throughput; per-row claims would cost several per delivery.
        while (free := self._settings.delivery_concurrency - len(self._attempts)) > 0:
            now = datetime.now(UTC)
            candidates = await self._deliveries.find(
                self._due(now, busy=self._busy_receivers()),
                projection={"receiver": 1},
                sort=[("urgent", -1), ("next_attempt_at", 1)],  # union busting first
                limit=free * 2,
            ).to_list()
            chosen = self._within_limits(candidates, free)
            if not chosen:
                return
            rows = await self._claim(chosen, now)
            if not rows:
                return  # another worker claimed them first
            subscriptions = {
                row["_id"]: row async for row in self._subscriptions.find({"_id": {"$in": list({row["subscription_id"] for row in rows})}})
            }
            for row in rows:
                self._start(row, subscriptions.get(row["subscription_id"]))

    def _within_limits(self, candidates: list[dict[str, Any]], free: int) -> list[str]:
        in_flight = Counter(self._per_receiver)
        chosen: list[str] = []
        for candidate in candidates:
            if len(chosen) >= free:
                break
            if in_flight[candidate["receiver"]] >= self._settings.delivery_per_receiver_concurrency:
                continue
            in_flight[candidate["receiver"]] += 1
            chosen.append(candidate["_id"])
        return chosen

    def _start(self, row: dict[str, Any], subscription: dict[str, Any] | None) -> None:
        receiver = row["receiver"]
        self._per_receiver[receiver] += 1
        task = asyncio.create_task(self._attempt(row, subscription), name=f"delivery {row['_id']}")
        self._attempts.add(task)
        task.add_done_callback(functools.partial(self._attempt_finished, receiver=receiver))

    def _attempt_finished(self, task: asyncio.Task, receiver: str) -> None:
        self._attempts.discard(task)
        self._per_receiver[receiver] -= 1
        if self._per_receiver[receiver] <= 0:
            del self._per_receiver[receiver]
        self.wake()

    def _busy_receivers(self) -> list[str]:
        limit = self._settings.delivery_per_receiver_concurrency
        return [receiver for receiver, count in self._per_receiver.items() if count >= limit]

    @staticmethod
    def _due(now: datetime, *, busy: list[str] | None = None) -> dict[str, Any]:
        due: dict[str, Any] = {
            "$or": [
                {"status": {"$in": [DeliveryStatus.PENDING, DeliveryStatus.RETRYING]}, "next_attempt_at": {"$lte": now}},
                {"status": DeliveryStatus.SENDING, "lease_until": {"$lte": now}},  # its worker died mid-attempt
            ]
        }
        if busy:
            due["receiver"] = {"$nin": busy}
        return due

    async def _claim(self, delivery_ids: list[str], now: datetime) -> list[dict[str, Any]]:
        """Atomically take the rows still due: status `sending`, a lease, one more attempt.

        The update's filter repeats the due condition, so of two workers racing for a row only
        one matches it; each then reads back the rows carrying its own lease token.
        """
        token = uuid.uuid4().hex
        await self._deliveries.update_many(
            {"_id": {"$in": delivery_ids}, **self._due(now)},
            {
                "$set": {
                    "status": DeliveryStatus.SENDING,
                    "lease_until": now + timedelta(seconds=self._settings.lease_seconds),
                    "lease_token": token,
                    "last_attempt_at": now,
                },
                "$min": {"first_attempt_at": now},
                "$inc": {"attempts": 1},
            },
        )
        return await self._deliveries.find({"_id": {"$in": delivery_ids}, "lease_token": token}).to_list()

    async def _attempt(self, row: dict[str, Any], subscription: dict[str, Any] | None) -> None:
        if subscription is None:
            await self._record(row, {"status": DeliveryStatus.CANCELLED, "last_error": "the subscription was deleted"})
            return
        if row["attempts"] > self._settings.delivery_max_attempts:
            # Claimed again after a crash during the last allowed attempt: give up, do not resend.
            await self._record(row, {"status": DeliveryStatus.FAILED, "last_error": "the last attempt was interrupted"})
            return
        started = time.monotonic()
        error: str | None = None
        try:
            await self._senders[subscription["channel"]["type"]].send(row, subscription)
        except DeliveryError as failure:
            error = failure.reason
        except Exception as failure:
            log.exception("delivery %s: unexpected error", row["_id"], extra=_about(row))
            error = f"internal error: {type(failure).__name__}"
        seconds = time.monotonic() - started
        duration_ms = round(seconds * 1000)
        DELIVERY_SECONDS.labels(channel=row.get("channel", "unknown")).observe(seconds)
        now = datetime.now(UTC)
        if error is None:
            outcome = {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "last_error": None}
        elif row["attempts"] >= self._settings.delivery_max_attempts:
            outcome = {"status": DeliveryStatus.FAILED, "last_error": error}
        else:
            delay = retry_delay(
                row["attempts"], base=self._settings.delivery_backoff_base_seconds, cap=self._settings.delivery_backoff_max_seconds
            )
            outcome = {"status": DeliveryStatus.RETRYING, "last_error": error, "next_attempt_at": now + timedelta(seconds=delay)}
        if error is not None:
            log.info("delivery %s attempt %d failed: %s", row["_id"], row["attempts"], error, extra=_about(row))
        await self._record(row, {**outcome, "last_duration_ms": duration_ms})

    async def _record(self, row: dict[str, Any], outcome: dict[str, Any]) -> None:
        DELIVERY_ATTEMPTS.labels(channel=row.get("channel", "unknown"), outcome=outcome["status"]).inc()
        # A success is always recorded (it is final). Anything else only while this worker still
        # holds the claim: a worker whose lease ran out must not overwrite the one that took over.
        claim = {"_id": row["_id"]}
        if outcome["status"] != DeliveryStatus.DELIVERED:
            claim["lease_token"] = row["lease_token"]
        await retry_while_transient(
            lambda: self._deliveries.update_one(
                claim,
                {"$set": outcome, "$unset": {"lease_until": "", "lease_token": ""}},
            ),
            what=f"recording delivery {row['_id']}",
        )

    async def _stop_attempts(self) -> None:
        """On shutdown: stop attempts in flight and hand their rows back for the next start."""
        attempts = list(self._attempts)
        for task in attempts:
            task.cancel()
        await asyncio.gather(*attempts, return_exceptions=True)
        if attempts:
            # Not knowing whether the receiver got it, the row is retried (with the same delivery id).
            await self._deliveries.update_many(
                {"status": DeliveryStatus.SENDING, "_id": {"$in": [task.get_name().removeprefix("delivery ") for task in attempts]}},
                {
                    "$set": {
                        "status": DeliveryStatus.RETRYING,
                        "next_attempt_at": datetime.now(UTC),
                        "last_error": "interrupted by a shutdown",
                    },
                    "$unset": {"lease_until": "", "lease_token": ""},
                },
            )


def _about(row: dict[str, Any]) -> dict[str, str]:
    """`extra=` for a log line about a delivery: its id and its event's."""
    return {"delivery_id": str(row["_id"]), **event_fields(row.get("event_id"))}
