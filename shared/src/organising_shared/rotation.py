"""Re-sealing stored secrets under the newest key, in bounded batches, while the services run.

Used by `organising-recruitment-keys` (member data keys) and `organising-notifications-keys`
(webhook secrets). Each command says how one document is re-sealed (a `Plan`); this module walks
the collection in `_id` order, one batch at a time, and writes each change only if the document
still holds what was read: the value read is part of the update's filter (compare-and-set). A
document the service changed or deleted meanwhile is left as the service left it, never
overwritten and never brought back (no upserts).

The walk is resumable and idempotent: a document already under the newest key is left alone, so
running the command again (after a crash, or to catch what was written meanwhile) only does
what is left. Nothing here prints or logs a document's content: progress is counts only.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TextIO

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

DEFAULT_BATCH = 500


class Verdict(Enum):
    CURRENT = "already under the newest key"
    UNREADABLE = "opened by no configured key"


@dataclass(frozen=True)
class Rewrite:
    """Apply `update` to the document if its fields still equal `unchanged` (as read)."""

    unchanged: Mapping[str, Any]
    update: Mapping[str, Any]


Plan = Callable[[Mapping[str, Any]], "Rewrite | Verdict"]


@dataclass
class RotationTally:
    total: int  # documents the walk selected when it began (more may be written meanwhile)
    seen: int = 0
    rewritten: int = 0
    current: int = 0
    changed_meanwhile: int = 0  # changed or deleted by someone else between read and write: left alone
    unreadable: int = 0

    def line(self) -> str:
        share = f" ({100 * self.seen / self.total:.0f} %)" if self.total else ""
        return (
            f"{self.seen:,} of {self.total:,} looked at{share}: {self.rewritten:,} re-sealed, "
            f"{self.current:,} already current, {self.changed_meanwhile:,} changed meanwhile (left alone), "
            f"{self.unreadable:,} opened by no configured key"
        )


def key_fingerprint(key: bytes, label: bytes) -> str:
    """A short printable name for a key that does not reveal it: HMAC of a fixed label under it."""
    return hmac.new(key, label, hashlib.sha256).hexdigest()[:12]


async def rewrite_batch(collection: AsyncCollection, documents: list[Mapping[str, Any]], plan: Plan, tally: RotationTally) -> None:
    """Plan each document, then write the changes in one round trip, each only if still as read."""
    writes = []
    for document in documents:
        tally.seen += 1
        decided = plan(document)
        if decided is Verdict.CURRENT:
            tally.current += 1
        elif decided is Verdict.UNREADABLE:
            tally.unreadable += 1
        else:
            writes.append(UpdateOne({"_id": document["_id"], **decided.unchanged}, dict(decided.update)))
    if not writes:
        return
    result = await collection.bulk_write(writes, ordered=False)
    tally.rewritten += result.matched_count
    tally.changed_meanwhile += len(writes) - result.matched_count


async def rotate_collection(
    collection: AsyncCollection,
    *,
    select: Mapping[str, Any],
    plan: Plan,
    batch_size: int = DEFAULT_BATCH,
    projection: Mapping[str, Any] | None = None,
    on_batch: Callable[[RotationTally], Awaitable[None] | None] | None = None,
) -> RotationTally:
    """Walk the documents matching `select` in `_id` order, writing `batch_size` at a time."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    tally = RotationTally(total=await collection.count_documents(dict(select)))
    # One cursor for the whole walk, not a query per batch: a query per batch with `_id > last`
    # made SecantusDB scan the collection again for every batch (20,000 keys: 100 s). Documents
    # written after the cursor passed their place are not seen; the next run picks them up.
    batch: list[Mapping[str, Any]] = []
    async with collection.find(dict(select), projection, sort=[("_id", 1)], batch_size=batch_size) as cursor:
        async for document in cursor:
            batch.append(document)
            if len(batch) == batch_size:
                await _rewrite_and_report(collection, batch, plan, tally, on_batch)
                batch = []
    if batch:
        await _rewrite_and_report(collection, batch, plan, tally, on_batch)
    return tally


async def _rewrite_and_report(
    collection: AsyncCollection,
    batch: list[Mapping[str, Any]],
    plan: Plan,
    tally: RotationTally,
    on_batch: Callable[[RotationTally], Awaitable[None] | None] | None,
) -> None:
    await rewrite_batch(collection, batch, plan, tally)
    if on_batch is not None:
        reported = on_batch(tally)
        if reported is not None:
            await reported


class ProgressPrinter:
    """An `on_batch` callback printing the tally at most every `every` seconds."""

    def __init__(self, out: TextIO, *, every: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._out, self._every, self._clock = out, every, clock
        self._last = clock()

    def __call__(self, tally: RotationTally) -> None:
        if self._clock() - self._last >= self._every:
            print(f"  {tally.line()}", file=self._out, flush=True)
            self._last = self._clock()


def describe_key_counts(
    out: TextIO, *, what: str, by_key: Mapping[str, int], others: Mapping[str, int], setting: str, command: str
) -> bool:
    """Print how many `what` each configured key (in order, newest first) holds, and the
    `others` that are not under any of them; True when all are under the newest key."""
    total = sum(by_key.values()) + sum(others.values())
    print(f"{what}: {total:,}", file=out)
    ids = list(by_key)
    for place, key_id in enumerate(ids, start=1):
        role = " (newest: seals new ones)" if place == 1 else ""
        print(f"  key {place} of {len(ids)} [{key_id}]{role}: {by_key[key_id]:,}", file=out)
    for label, count in others.items():
        if count:
            print(f"  {label}: {count:,}", file=out)
    behind = total - by_key[ids[0]]
    if behind:
        print(f"{behind:,} not under the newest key: run `{command} rotate`", file=out)
        return False
    if len(ids) > 1:
        print(f"all under the newest key: the older keys may be removed from {setting}", file=out)
    return True
