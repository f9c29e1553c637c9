"""The live projector: exactly-once batches into whichever generation the pointer names.

Each generation has its own `ExactlyOnceProjector` (its own stored offsets). The batch's
transaction re-reads the pointer; when a rebuild has just moved it, the transaction stops with
`GenerationChanged` and the batch goes to the new generation instead, whose stored offsets skip
what the rebuild already applied.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Awaitable, Callable, Collection, Sequence
from typing import Any

from prometheus_client import Gauge
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.projections import (
    Delivered,
    ExactlyOnceProjector,
    PreparedBatch,
    RecordLike,
    apply_isolating,
)
from organising_shared.projections.failures import ApplyAgain
from organising_shared.projections.pipeline import ApplyPipeline
from organising_shared.topics import Topics
from reporting.projection.apply import (
    YIELD_EVERY,
    BatchChanges,
    EntityExists,
    apply_batch,
    digest_batch,
)
from reporting.projection.event_log import record_events
from reporting.projection.generations import Generation, current_generation
from reporting.read_model.ledger import MemberLedger

# The ledger is the one thing in a reporting instance's memory that grows by design, with the
# membership (reporting.read_model.ledger: about 320 bytes a member): operators size the
# service by it, and `make soak` tells its growth from a leak.
LEDGER_MEMBERS = Gauge(
    "organising_member_ledger_members",
    "Members whose history this reporting instance holds in memory (the live generation's member ledger)",
)


class GenerationChanged(ApplyAgain):
    """The pointer moved while this batch was being applied: apply it to the new generation."""


def generation_apply(generation: Generation, ledger: MemberLedger) -> Callable[..., Awaitable[Any]]:
    """The transaction's work for one generation: check the pointer, then apply the batch.

    `read_first` (an option of the attempt, see `ReportingProjector.apply`) reads every unit and
    case before writing it, instead of taking those seen only by their founding event for new.
    """
    database = generation.database

    async def apply(changes: BatchChanges, session: AsyncClientSession, *, read_first: bool = False) -> None:
        pointer = await current_generation(database, session)
        if pointer.name != generation.name:
            raise GenerationChanged(pointer.name)
        await apply_batch(generation, ledger, changes, session, read_first=read_first)

    return apply


class ReportingProjector:
    def __init__(
        self,
        *,
        database: AsyncDatabase,
        topics: Topics,
        federations: Collection[str] | None,
        dead_letters: Any,
        programmes: Collection[str] | None = None,
        after_commit: Callable[[Sequence[Delivered]], Awaitable[Any]] | None = None,
        keep_event_log: bool = True,
    ) -> None:
        self._database = database
        self._topics = topics
        self._federations = federations
        self._programmes = programmes
        self._dead_letters = dead_letters
        self._after_commit = after_commit
        self._keep_event_log = keep_event_log
        self._projectors: dict[str, ExactlyOnceProjector] = {}
        self._ledgers: dict[str, MemberLedger] = {}
        self._generation: Generation | None = None

    def for_generation(self, generation: Generation) -> ExactlyOnceProjector:
        if generation.name not in self._projectors:
            # A generation left behind by a rebuild is never written again: forget it and its
            # members (the pointer only moves forward).
            self._projectors.clear()
            self._ledgers = {generation.name: MemberLedger(generation.members)}
            self._projectors[generation.name] = ExactlyOnceProjector(
                database=self._database,
                name=generation.projector_name,
                apply=generation_apply(generation, self._ledgers[generation.name]),
                digest=digest_batch,
                topics=self._topics,
                federations=self._federations,
                programmes=self._programmes,
                dead_letters=self._dead_letters,
                after_commit=self._committed,
                consumer="reporting",
            )
        return self._projectors[generation.name]

    async def _committed(self, delivered: Sequence[Delivered]) -> None:
        if self._keep_event_log:
            await record_events(self._database, delivered)
        if self._after_commit is not None:
            await self._after_commit(delivered)

    async def prepare(self, records: Sequence[RecordLike]) -> PreparedBatch | None:
        """Decode `records` (dead-lettering the invalid ones) against the current generation."""
        projector, _ = await self._current()
        return await projector.prepare(records, yield_every=YIELD_EVERY)

    async def apply(self, batch: PreparedBatch | None) -> int:
        """Apply a prepared batch to whichever generation the pointer names when it commits.

        A batch prepared against an older generation is right for the new one too: a rebuild
        switches over only once it has applied at least as far as the old generation in every
        partition, and the transaction skips whatever the new generation has applied already.
        """
        read_first = False
        while True:
            projector, ledger = await self._current()
            try:
                applied = await apply_exactly_once(ledger, functools.partial(projector.apply, batch, read_first=read_first))
                LEDGER_MEMBERS.set(len(ledger))
                return applied
            except ApplyAgain as again:
                # The one place that says what the next attempt does differently. Another
                # instance's ledger segment (`LedgerMoved`) needs nothing: the next attempt
                # folds it first.
                if isinstance(again, GenerationChanged):
                    self._generation = None  # the pointer moved under this batch: apply it to the new generation
                elif isinstance(again, EntityExists):
                    read_first = True  # a unit or case taken for new was stored: read every one first

    def part(self, batch: PreparedBatch, delivered: list[Delivered], reached: dict[tuple[str, int], int]) -> PreparedBatch:
        # Any generation's projector digests alike: the digest needs no stored state.
        return PreparedBatch(delivered, digest_batch(delivered), reached)

    async def dead_letter_delivered(self, item: Delivered, reason: str) -> None:
        projector, _ = await self._current()
        await projector.dead_letter_delivered(item, reason)

    async def _current(self) -> tuple[ExactlyOnceProjector, MemberLedger]:
        # The pointer is remembered between batches (it moves only on a rebuild); each batch's
        # transaction checks it, and a stale one costs a retry, never a wrong write.
        if self._generation is None:
            pointer = await current_generation(self._database)
            # The next batch is decoded while this one is applied: keep whichever read landed first.
            self._generation = self._generation or pointer
        generation = self._generation
        return self.for_generation(generation), self._ledgers[generation.name]


async def apply_exactly_once(ledger: MemberLedger, apply: Callable[[], Awaitable[int]]) -> int:
    """`apply()` (a projector's apply of one batch), telling `ledger` whether what the batch
    appended was committed."""
    ledger.discard()
    try:
        applied = await apply()
    except BaseException:
        ledger.discard()
        raise
    ledger.committed()
    return applied


async def apply_pipelined(projector: ExactlyOnceProjector, ledger: MemberLedger, batches: AsyncIterable[Sequence[RecordLike]]) -> int:
    """Apply `batches` in order, one transaction each, decoding the next batch while the store
    applies the previous one (`organising_shared.projections.pipeline`); returns how many events were applied.

    When one fails, the batches after it are not applied (their invalid records may already be
    dead-lettered, which is at least once anyway); stored offsets make applying them all again
    safe. On a failure or a cancellation the batch in flight is stopped and waited for.
    """
    pipeline = ApplyPipeline()
    applying = LedgerTracking(projector, ledger)
    applied = 0
    try:
        async for records in batches:
            prepared = await projector.prepare(records, yield_every=YIELD_EVERY)
            applied += await pipeline.submit(functools.partial(apply_isolating, applying, prepared))
        return applied + await pipeline.drain()
    finally:
        await pipeline.abandon()


class LedgerTracking:
    """`projector`, telling `ledger` after every transaction (halves included, when
    `apply_isolating` looks for a poison event) whether what it appended was committed."""

    def __init__(self, projector: ExactlyOnceProjector, ledger: MemberLedger) -> None:
        self._projector = projector
        self._ledger = ledger

    async def apply(self, batch: PreparedBatch | None) -> int:
        return await apply_exactly_once(self._ledger, lambda: self._projector.apply(batch))

    def part(self, batch: PreparedBatch, delivered: list[Delivered], reached: dict[tuple[str, int], int]) -> PreparedBatch:
        return self._projector.part(batch, delivered, reached)

    async def dead_letter_delivered(self, item: Delivered, reason: str) -> None:
        await self._projector.dead_letter_delivered(item, reason)
