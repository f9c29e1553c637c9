"""The delivery worker: claims due deliveries, sends them concurrently, records what happened.

- A claim reads the due rows (three key-range reads: pending, retrying, and `sending` rows whose
  lease ran out), orders them (urgent first, then oldest) and picks, within the limits below,
  what this instance can send soon; the next claims pick from the rows left for up to a second
  (`DueRowsKept`). It takes each picked row with a compare-and-set on the
  status and attempt count it was read with: the row becomes `sending` until `lease_until` (also
  its `next_attempt_at`, when another worker may take it over), and its attempt is counted. Of
  two workers racing for a row only one matches it; a row claimed by a worker that died is
  taken over when its lease runs out, and the worker that lost it can no longer write its
  outcome unless it is a success (final).
- Each attempt runs in its own task with its own deadline; at most `delivery_concurrency`
  attempts are in flight, and at most `delivery_per_receiver_concurrency` to one receiver (a web
  host or a mail domain). Up to as many rows again wait, claimed, for a free slot of their
  receiver, so a slot that frees is reused at once rather than after a round trip to the store;
  a hanging receiver ties up only its own slots and waiting rows, never the others'.
- Success is final (`delivered`); a failure is retried with exponential backoff and jitter until
  `delivery_max_attempts`, then `failed`. Outcomes are written in groups (`outcomes`).

Why reads and writes look the way they do: the store's query planner (SecantusDB) serves a
filter from an index only when the index covers the filter's fields exactly (equality fields,
then one range or `$in`); anything else (an `$or`, an extra field) scans the whole collection,
delivery log included, and it never stops a scan early for a `limit` or sorts from an index.
So every filter here is one an index covers (`store.ensure_indexes`), the ordering is done here
on the small projection that was read, and a write's filter is a key lookup.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from pymongo import UpdateMany, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from notifications.channels.base import DeliveryError, Sender
from notifications.config import NotificationsSettings
from notifications.domain.backoff import retry_delay
from notifications.metrics import CLAIM_SECONDS, DELIVERIES_CLAIMED, DELIVERY_ATTEMPTS, DELIVERY_SECONDS
from notifications.outcomes import OutcomeWriter
from notifications.store import DELIVERIES, SUBSCRIPTIONS, DeliveryStatus
from organising_shared.mongo import find_by_keys, key_lists
from organising_shared.observability.logs import event_fields
from organising_shared.waiting import stop_if_cancelled, wait_at_most

log = logging.getLogger(__name__)

# Rows claimed ahead per receiver, in rounds of its slots. A claim costs the store a read of every
# due row however few are taken (see above), so each claim takes as much as this instance has
# recently got through to the receiver within about half of what its lease leaves after one
# attempt: a slot that frees then starts the next row at once, a claim is needed only now and
# then, and a row claimed ahead starts within its lease. A receiver not yet heard from, a slow or
# a hanging one gets one round.
MAX_CLAIM_AHEAD_ROUNDS = 64
# The most rows one claim takes. A claim's writes cost the store about a millisecond a row, more
# per row the more rows one write moves (SecantusDB: 1.1 ms a row at 200, 2 ms at 800), and
# until its rows are read back none of them can start: one claim of a thousand rows left the
# slots idle for over a second while it ran (`python -m bench notifications`). Claims of at most
# this many follow one another instead (see `_claim_due`), each back before the rows of the last
# run out.
MAX_CLAIM_ROWS = 256
# How long claims pick from the due rows one read found before the store is read again
# (`DueRowsKept`).
DUE_ROWS_KEPT_SECONDS = 1.0
# How far back the attempts finished per receiver are counted for its pace.
_PACE_WINDOW_SECONDS = 5.0

# What a claim reads of each due row: enough to order and pick, not the notice.
_CANDIDATE_FIELDS = {"receiver": 1, "urgent": 1, "next_attempt_at": 1, "status": 1, "attempts": 1}


def due_filters(now: datetime) -> list[dict[str, Any]]:
    """The due rows, as three reads that indexes cover (`store.ensure_indexes`)."""
    return [
        {"status": DeliveryStatus.PENDING, "next_attempt_at": {"$lte": now}},
        {"status": DeliveryStatus.RETRYING, "next_attempt_at": {"$lte": now}},
        # Its worker died mid-attempt: a claim sets `next_attempt_at` to the lease's end too, so
        # one index serves all three.
        {"status": DeliveryStatus.SENDING, "next_attempt_at": {"$lte": now}},
    ]


def claim_filter(status: str, attempts: int, delivery_ids: list[str]) -> dict[str, Any]:
    """The compare-and-set of a claim: rows still in the status and attempt count read."""
    return {"status": status, "attempts": attempts, "_id": {"$in": delivery_ids}}


def claim_writes(chosen: list[dict[str, Any]], update: dict[str, Any]) -> list[UpdateMany]:
    """The writes that claim `chosen`: per status and attempt count read, each naming a short
    list of rows (`organising_shared.mongo.KEYS_PER_LIST`: one claim of 256 rows in a single
    list cost the store 1.3 ms a row with the read-back, in lists of 50-64 about 0.95 ms)."""

    def as_read(row: dict[str, Any]) -> tuple[str, int]:
        return row["status"], row["attempts"]

    return [
        UpdateMany(claim_filter(status, attempts, listed), update)
        for (status, attempts), rows in groupby(sorted(chosen, key=as_read), key=as_read)
        for listed in key_lists(row["_id"] for row in rows)
    ]


def held_filter(row: Mapping[str, Any]) -> dict[str, Any]:
    """A claimed row, only while the claim that read it still holds it: a worker that takes it
    over after the lease counts another attempt, and a recorded outcome changes the status."""
    return {"status": DeliveryStatus.SENDING, "attempts": row["attempts"], "_id": row["_id"]}


def pick_in_turns(candidates: list[dict[str, Any]], holding: Counter[str], limits: Mapping[str, int], room: int) -> list[dict[str, Any]]:
    """Up to `room` of `candidates` (in their order of precedence: urgent first, then oldest), at
    most `limits[receiver]` held per receiver counting what it `holding` already.

    Receivers take turns, the one holding the fewest rows first, so the rows of one receiver that
    happen to sort first do not fill a claim while another receiver's slots run dry; urgent rows
    still go before any other (a receiver's turn is ranked by its next row's urgency first).
    """
    queues: dict[str, deque[dict[str, Any]]] = {}
    for candidate in candidates:
        queues.setdefault(candidate["receiver"], deque()).append(candidate)
    held = Counter(holding)

    def turn(receiver: str) -> tuple[bool, int, Any, str]:
        """The receiver's place in line: its next row's urgency, what it holds, that row's age."""
        row = queues[receiver][0]
        return (not row.get("urgent"), held[receiver], row["next_attempt_at"], receiver)

    turns = [turn(receiver) for receiver in queues if held[receiver] < limits[receiver]]
    heapq.heapify(turns)
    chosen: list[dict[str, Any]] = []
    while turns and len(chosen) < room:
        receiver = heapq.heappop(turns)[-1]
        chosen.append(queues[receiver].popleft())
        held[receiver] += 1
        if queues[receiver] and held[receiver] < limits[receiver]:
            heapq.heappush(turns, turn(receiver))
    return chosen


class DueRowsKept:
    """The due rows the last read found that no claim has taken yet.

    A read of the due rows costs the store every one of them (see above): 1,600 due rows took it
    60-100 ms, and one burst of 3,200 rows was read a dozen times over, once per claim. Claims
    pick from the rows kept instead, until none is left or they are `keep_seconds` old. A row
    kept may have been taken meanwhile by another instance: its claim then matches nothing. Rows
    that fall due or are queued meanwhile wait for the next read, `keep_seconds` at most, unless
    they are forgotten first (`forget`: new rows were queued here).
    """

    def __init__(self, keep_seconds: float = DUE_ROWS_KEPT_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._keep_seconds = keep_seconds
        self._clock = clock
        self._rows: list[dict[str, Any]] = []
        self._read_at = 0.0

    def fresh(self) -> list[dict[str, Any]] | None:
        """The rows kept, in their order, or None when the store must be read again."""
        if self._rows and self._clock() - self._read_at < self._keep_seconds:
            return self._rows
        return None

    def found(self, rows: list[dict[str, Any]], read_at: float) -> None:
        """What a read that started at `read_at` (the clock's time) found."""
        self._rows, self._read_at = rows, read_at

    def taken(self, chosen: list[dict[str, Any]]) -> None:
        taken = {row["_id"] for row in chosen}
        self._rows = [row for row in self._rows if row["_id"] not in taken]

    def forget(self) -> None:
        self._rows = []


@dataclass
class _Claimed:
    row: dict[str, Any]
    subscription: dict[str, Any] | None
    previous_status: str
    lease_ends: float  # time.monotonic() when another worker may take the row over


class Dispatcher:
    def __init__(self, database: AsyncDatabase, senders: Mapping[str, Sender], settings: NotificationsSettings) -> None:
        self._deliveries = database[DELIVERIES]
        self._subscriptions = database[SUBSCRIPTIONS]
        self._senders = senders
        self._settings = settings
        self._wake = asyncio.Event()
        self._attempts: set[asyncio.Task] = set()  # sending, or waiting for their outcome to be written
        self._sending: Counter[str] = Counter()  # attempts in flight per receiver
        self._waiting: dict[str, deque[_Claimed]] = {}  # claimed rows per receiver, waiting for a slot
        self._finished: dict[str, deque[float]] = {}  # when recent attempts ended, per receiver
        self._rows: dict[asyncio.Task, _Claimed] = {}  # what each attempt task sends
        self._outcomes = OutcomeWriter(self._deliveries)
        self._stopping = False
        # Whether the last claim found due rows: when it found none, a slot that frees does not
        # look again (the poll, or a wake for new rows, does), so the tail of a burst does not
        # read the store after every attempt.
        self._found_due = True
        self._due = DueRowsKept()

    def wake(self) -> None:
        """Look for due deliveries now, in the store: new rows were queued (or one retried by hand)."""
        self._due.forget()
        self._wake.set()

    def _claim_soon(self) -> None:
        """Claim again, from the due rows kept while they last (a slot came free, or a claim was full)."""
        self._wake.set()

    @property
    def _in_flight(self) -> int:
        return sum(self._sending.values())

    @property
    def _held(self) -> int:
        return sum(len(rows) for rows in self._waiting.values())

    async def run(self) -> None:
        try:
            while True:
                stop_if_cancelled()
                self._wake.clear()
                try:
                    await self._claim_due()
                except Exception as error:  # noqa: BLE001 - the store may be away; try again shortly
                    log.warning("claiming deliveries failed (%s: %s)", type(error).__name__, error)
                await wait_at_most(self._wake.wait(), self._settings.delivery_poll_seconds)
        finally:
            await self._stop_attempts()

    async def _claim_due(self) -> None:
        room = (1 + MAX_CLAIM_AHEAD_ROUNDS // 2) * self._settings.delivery_concurrency - self._in_flight - self._held
        # At most twice what is already held: from a standstill the first claims are small and
        # quick, and each brings enough to keep the slots busy while the next, larger one runs.
        room = min(room, MAX_CLAIM_ROWS, max(2 * self._settings.delivery_concurrency, 2 * (self._in_flight + self._held)))
        if room <= 0:
            return
        started = time.monotonic()
        now = datetime.now(UTC)
        candidates = self._due.fresh()
        if candidates is None:
            candidates = await self._candidates(now)
            self._due.found(candidates, read_at=started)
        self._found_due = bool(candidates)
        chosen = self._within_limits(candidates, room)
        self._due.taken(chosen)
        if not chosen:
            return
        claimed = await self._claim(chosen)
        CLAIM_SECONDS.observe(time.monotonic() - started)
        for item in claimed:
            self._waiting.setdefault(item.row["receiver"], deque()).append(item)
        self._start_waiting()
        if len(claimed) == len(chosen) == room:
            self._claim_soon()  # there may be more, and room for them once these start

    async def _candidates(self, now: datetime) -> list[dict[str, Any]]:
        """Every due row (a small projection of it), urgent first (union busting), then oldest."""
        reads = [self._deliveries.find(due, projection=_CANDIDATE_FIELDS).to_list() for due in due_filters(now)]
        # Rows this instance holds are left out: one whose lease ran out while it waited is
        # handed back when its turn comes, never claimed a second time here.
        holding = {item.row["_id"] for rows in self._waiting.values() for item in rows}
        holding.update(item.row["_id"] for item in self._rows.values())
        found = [row for rows in await asyncio.gather(*reads) for row in rows if row["_id"] not in holding]
        found.sort(key=lambda row: (not row.get("urgent"), row["next_attempt_at"]))
        return found

    def _within_limits(self, candidates: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
        # Per receiver: its slots plus what it can take in time (`_claim_ahead`), no more, so a
        # receiver at its limit leaves the room to the others.
        holding = Counter(self._sending)
        for receiver, rows in self._waiting.items():
            holding[receiver] += len(rows)
        slots = self._settings.delivery_per_receiver_concurrency
        limits = {receiver: slots + self._claim_ahead(receiver) for receiver in {row["receiver"] for row in candidates}}
        return pick_in_turns(candidates, holding, limits, room)

    def _claim_ahead(self, receiver: str) -> int:
        """How many rows of `receiver` to hold claimed beyond its slots: what it sends within
        about half of what the lease leaves after one attempt."""
        slots = self._settings.delivery_per_receiver_concurrency
        now = time.monotonic()
        recent = [ended for ended in self._finished.get(receiver, ()) if ended >= now - _PACE_WINDOW_SECONDS]
        # Over the time the recent attempts span (at least a second), not the whole window: a
        # receiver that has just started taking rows ramps up within a claim or two.
        pace = len(recent) / max(1.0, now - recent[0]) if recent else 0.0
        horizon = (self._settings.lease_seconds - self._settings.delivery_attempt_timeout_seconds) / 2
        return max(slots, min(MAX_CLAIM_AHEAD_ROUNDS * slots, int(pace * horizon)))

    async def _claim(self, chosen: list[dict[str, Any]]) -> list[_Claimed]:
        """Take the chosen rows that are still as they were read: status `sending`, a lease, one
        more attempt. The filter compares the status and attempt count read, so of two workers
        racing for a row only one matches it (each claim moves the count); each then reads back
        the rows carrying its own lease token."""
        token = uuid.uuid4().hex
        # The lease starts now, not when the search for due rows began (which may have taken a
        # while): the store's lease and this worker's idea of it must agree.
        now, lease_ends = datetime.now(UTC), time.monotonic() + self._settings.lease_seconds
        update = {
            "$set": {
                "status": DeliveryStatus.SENDING,
                "lease_until": now + timedelta(seconds=self._settings.lease_seconds),
                "next_attempt_at": now + timedelta(seconds=self._settings.lease_seconds),
                "lease_token": token,
                "last_attempt_at": now,
            },
            "$min": {"first_attempt_at": now},
            "$inc": {"attempts": 1},
        }

        await self._deliveries.bulk_write(claim_writes(chosen, update), ordered=False)
        # Read back by key, keeping those this claim took (the token tells them from rows another
        # worker claimed at the same moment).
        rows = [row async for row in find_by_keys(self._deliveries, (row["_id"] for row in chosen)) if row.get("lease_token") == token]
        if not rows:
            return []
        subscriptions = {
            row["_id"]: row async for row in self._subscriptions.find({"_id": {"$in": list({row["subscription_id"] for row in rows})}})
        }
        order = {row["_id"]: (index, row["status"]) for index, row in enumerate(chosen)}
        rows.sort(key=lambda row: order[row["_id"]][0])
        return [_Claimed(row, subscriptions.get(row["subscription_id"]), order[row["_id"]][1], lease_ends) for row in rows]

    def _start_waiting(self) -> None:
        """Start waiting rows on the free slots, one receiver after another in turn."""
        limit, per_receiver = self._settings.delivery_concurrency, self._settings.delivery_per_receiver_concurrency
        stale: list[_Claimed] = []
        progress = True
        while progress and self._in_flight < limit:
            progress = False
            for receiver in list(self._waiting):
                rows = self._waiting[receiver]
                while rows and self._sending[receiver] < per_receiver and self._in_flight < limit:
                    item = rows.popleft()
                    # An attempt must end within the lease; a row that waited too long for a slot
                    # is handed back rather than risk two workers sending it at once.
                    if item.lease_ends - time.monotonic() < self._settings.delivery_attempt_timeout_seconds:
                        stale.append(item)
                        continue
                    self._start(item)
                    progress = True
                    break
                if not rows:
                    del self._waiting[receiver]
        if stale:
            self._release_later(stale, "waited too long for a slot")
        self._count_claimed()

    def _start(self, item: _Claimed) -> None:
        self._sending[item.row["receiver"]] += 1
        task = asyncio.create_task(self._attempt(item), name=f"delivery {item.row['_id']}")
        self._attempts.add(task)
        self._rows[task] = item
        task.add_done_callback(self._attempt_finished)

    def _attempt_finished(self, task: asyncio.Task) -> None:
        self._attempts.discard(task)
        self._rows.pop(task, None)

    def _slot_freed(self, receiver: str) -> None:
        self._sending[receiver] -= 1
        if self._sending[receiver] <= 0:
            del self._sending[receiver]
        if not self._stopping:
            self._start_waiting()
            # Claim more once the receiver's rows run low (a claim reads every due row: not after
            # every attempt); due rows of other receivers are found by the next claim or poll.
            if self._found_due and len(self._waiting.get(receiver, ())) <= self._claim_ahead(receiver) // 2:
                self._claim_soon()

    def _count_claimed(self) -> None:
        DELIVERIES_CLAIMED.labels(state="sending").set(self._in_flight)
        DELIVERIES_CLAIMED.labels(state="waiting").set(self._held)

    async def _attempt(self, item: _Claimed) -> None:
        row = item.row
        try:
            outcome = await self._outcome_of(row, item.subscription)
        finally:
            self._slot_freed(row["receiver"])
        try:
            await self._record(row, outcome)
        except Exception as error:  # noqa: BLE001 - the row keeps its lease and is tried again when it ends
            log.warning("recording delivery %s failed (%s)", row["_id"], type(error).__name__, extra=_about(row))

    async def _outcome_of(self, row: dict[str, Any], subscription: dict[str, Any] | None) -> dict[str, Any]:
        if subscription is None:
            return {"status": DeliveryStatus.CANCELLED, "last_error": "the subscription was deleted"}
        if row["attempts"] > self._settings.delivery_max_attempts:
            # Claimed again after a crash during the last allowed attempt: give up, do not resend.
            return {"status": DeliveryStatus.FAILED, "last_error": "the last attempt was interrupted"}
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
        ended = time.monotonic()
        finished = self._finished.setdefault(row["receiver"], deque())
        finished.append(ended)
        while finished and finished[0] < ended - _PACE_WINDOW_SECONDS:
            finished.popleft()
        DELIVERY_SECONDS.labels(channel=row.get("channel", "unknown")).observe(seconds)
        now = datetime.now(UTC)
        outcome: dict[str, Any]
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
        return {**outcome, "last_duration_ms": round(seconds * 1000)}

    async def _record(self, row: dict[str, Any], outcome: dict[str, Any]) -> None:
        DELIVERY_ATTEMPTS.labels(channel=row.get("channel", "unknown"), outcome=outcome["status"]).inc()
        # A success is always recorded (it is final). Anything else only while this worker still
        # holds the claim: a worker whose lease ran out must not overwrite the one that took over.
        claim = {"_id": row["_id"]} if outcome["status"] == DeliveryStatus.DELIVERED else held_filter(row)
        await self._outcomes.write(UpdateOne(claim, {"$set": outcome, "$unset": {"lease_until": "", "lease_token": ""}}))

    def _release_later(self, items: list[_Claimed], reason: str) -> None:
        task = asyncio.create_task(self._release(items), name="delivery-release")
        self._attempts.add(task)
        task.add_done_callback(self._attempt_finished)
        log.info("handing back %d claimed deliveries: %s", len(items), reason)

    async def _release(self, items: list[_Claimed]) -> None:
        """Hand back claimed rows that were never attempted: as they were, their attempt uncounted."""
        now = datetime.now(UTC)
        await self._outcomes.write_many(
            [
                UpdateOne(
                    held_filter(item.row),
                    {
                        "$set": {"status": item.previous_status, "next_attempt_at": now},
                        "$inc": {"attempts": -1},
                        "$unset": {"lease_until": "", "lease_token": ""},
                    },
                )
                for item in items
            ]
        )

    async def _stop_attempts(self) -> None:
        """On shutdown: stop attempts in flight and hand their rows back for the next start."""
        self._stopping = True
        waiting = [item for rows in self._waiting.values() for item in rows]
        self._waiting.clear()
        interrupted = [item.row for task, item in self._rows.items() if not task.done()]
        tasks = list(self._attempts)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Outcomes already on their way are stored; rows whose attempt was cut short are then
        # still held under their lease token, and only those match below.
        operations = [
            UpdateOne(
                held_filter(row),
                {
                    # Not knowing whether the receiver got it, the row is retried (with the same delivery id).
                    "$set": {
                        "status": DeliveryStatus.RETRYING,
                        "next_attempt_at": datetime.now(UTC),
                        "last_error": "interrupted by a shutdown",
                    },
                    "$unset": {"lease_until": "", "lease_token": ""},
                },
            )
            for row in interrupted
        ]
        try:
            await self._outcomes.drain()
            if operations:
                await self._deliveries.bulk_write(operations, ordered=False)
            if waiting:
                await self._release(waiting)
        finally:
            self._count_claimed()


def _about(row: dict[str, Any]) -> dict[str, str]:
    """`extra=` for a log line about a delivery: its id and its event's."""
    return {"delivery_id": str(row["_id"]), **event_fields(row.get("event_id"))}
