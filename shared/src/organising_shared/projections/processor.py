"""The exactly-once processor: records in, events applied with their positions in one
transaction (docs/architecture.md, "Exactly-once projections").

`prepare` decodes a batch (no transaction): records at or below the stored position of their
partition were applied before (a redelivery after a crash or a rebalance) and are skipped; what
cannot be accepted goes to the dead-letter topic. `apply` then writes the events and the
positions they reach in one MongoDB transaction; the caller commits the Kafka offsets only after
it. A crash at any point neither loses nor double-counts an event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.deadletter import DeadLetter, publish_dead_letter
from organising_shared.decoding import Rejection, decode_event
from organising_shared.metrics import DEAD_LETTERS
from organising_shared.observability.logs import event_fields
from organising_shared.projections.batch import (
    Delivered,
    Position,
    PreparedBatch,
    RecordLike,
    highest_offsets,
)
from organising_shared.projections.failures import is_transient, poison_reason
from organising_shared.projections.tracking import (
    advance_positions,
    offsets_of,
    stored_positions,
)
from organising_shared.topics import Topics

log = logging.getLogger(__name__)

Digest = Callable[[Sequence[Delivered]], Any]
# apply(digested, session, **options): every write in `session`.
ApplyBatch = Callable[..., Awaitable[Any]]


def _as_delivered(delivered: Sequence[Delivered]) -> Sequence[Delivered]:
    return delivered


class ExactlyOnceProjector:
    """Applies batches of records to `database` through `apply`, exactly once per record.

    `apply(digested, session)` gets `digest(events)` (by default, the events themselves). It must
    do all its writes with `session` (they commit or abort with the offsets) and must be
    deterministic for the same events, since a transaction can be retried; for the same reason it
    must leave what `digest` made unchanged (a retry gets the same object). `digest` is the part
    that needs no stored state (grouping, building entries): it runs when the batch is prepared,
    outside the transaction, while the previous batch's transaction may still be running.
    """

    def __init__(
        self,
        *,
        database: AsyncDatabase,
        name: str,
        apply: ApplyBatch,
        digest: Digest = _as_delivered,
        topics: Topics,
        federations: Collection[str] | None,
        dead_letters: Any,
        programmes: Collection[str] | None = None,
        after_commit: Callable[[Sequence[Delivered]], Awaitable[Any]] | None = None,
        consumer: str | None = None,
    ) -> None:
        self._database = database
        # The service named in dead letters; `name` (the offsets' key) may be more specific.
        self._consumer = consumer or name
        self._offsets = offsets_of(database)
        self._name = name
        self._apply = apply
        self._digest = digest
        self._topics = topics
        self._federations = frozenset(federations) if federations is not None else None
        self._programmes = frozenset(programmes) if programmes is not None else None
        self._dead_letters = dead_letters
        self._after_commit = after_commit

    async def stored_offsets(self) -> dict[Position, int]:
        """The last applied offset of every partition this projection has seen."""
        return await stored_positions(self._offsets, self._name)

    async def prepare(self, records: Sequence[RecordLike], *, yield_every: int | None = None) -> PreparedBatch | None:
        """Decode the records not applied yet and dead-letter the invalid ones (no transaction).

        `yield_every` lets other tasks run between records: the batch before this one is being
        applied meanwhile (`organising_shared.projections.pipeline`), and its transaction should not wait
        for the whole decode between two of its round trips. With it, a batch of more events than
        that is also digested in a worker thread: the digest is one loop, and for a backlog batch
        it held the event loop 90-125 ms in one piece (`python -m bench budget`), delaying every
        request the service's API had in flight. In the thread it still holds the interpreter's
        lock, but hands it back every few milliseconds (`sys.getswitchinterval()`).
        """
        stored = await self.stored_offsets()
        fresh: list[RecordLike] = []
        skipped: dict[Position, int] = {}
        for record in records:  # one pass: a batch holds up to 20,000 records
            partition = (record.topic, record.partition)
            applied_up_to = stored.get(partition, -1)
            if record.offset > applied_up_to:
                fresh.append(record)
            else:
                skipped[partition] = applied_up_to
        if not fresh:
            return PreparedBatch([], None, {}, skipped) if skipped else None
        delivered: list[Delivered] = []
        for position, record in enumerate(fresh, start=1):
            outcome = decode_event(
                record.value, federations=self._federations, programmes=self._programmes, topic=self._topics.contract_name(record.topic)
            )
            if isinstance(outcome, Rejection):
                await self._dead_letter(record, outcome.reason)
            else:
                delivered.append(Delivered(outcome, record.topic, record.partition, record.offset, record.key, record.value))
            if yield_every and position % yield_every == 0:
                await asyncio.sleep(0)
        off_loop = yield_every is not None and 0 < yield_every < len(delivered)
        delivered, digested = await self._digest_isolating(delivered, off_loop=off_loop)
        return PreparedBatch(delivered, digested, highest_offsets(fresh), skipped)

    async def _digest_isolating(self, delivered: list[Delivered], *, off_loop: bool = False) -> tuple[list[Delivered], Any]:
        """`digest(delivered)` (in a worker thread if `off_loop`: a digest is pure, it touches no
        shared state); when it fails for good, the events it fails on alone are dead-lettered and
        the rest digested (a digest needs no stored state, so this is exact)."""
        try:
            return delivered, (await asyncio.to_thread(self._digest, delivered) if off_loop else self._digest(delivered))
        except Exception as error:
            if is_transient(error):
                raise
        kept = []
        for item in delivered:
            try:
                self._digest([item])
            except Exception as error:
                if is_transient(error):
                    raise
                await self.dead_letter_delivered(item, poison_reason(error))
            else:
                kept.append(item)
        return kept, self._digest(kept)

    def part(self, batch: PreparedBatch, delivered: list[Delivered], reached: dict[Position, int]) -> PreparedBatch:
        """A batch of some of `batch`'s events, reaching `reached` (for `isolation.apply_isolating`)."""
        return PreparedBatch(delivered, self._digest(delivered), reached)

    async def dead_letter_delivered(self, item: Delivered, reason: str) -> None:
        """Dead-letter a valid event that cannot be applied (`isolation.apply_isolating`)."""
        await self._dead_letter(item, reason, kind="poison")

    async def apply(self, batch: PreparedBatch | None, **options: Any) -> int:
        """Apply a prepared batch with its offsets in one transaction; returns how many events.

        `options` go to the projection's `apply` as they are: what an attempt does differently
        from the one before (the reporting service's `read_first`).
        """
        if batch is None or not (batch.delivered or batch.reached):
            return 0  # nothing new: every record was applied before
        async with self._database.client.start_session() as session:
            await session.with_transaction(lambda s: self._commit(batch, s, options))
        if self._after_commit is not None and batch.delivered:
            try:
                await self._after_commit(batch.delivered)
            except Exception as error:
                if is_transient(error):
                    raise  # tried again with the batch, whose transaction then skips what it applied
                # The events are applied and stay so: only what follows a commit (a live view,
                # a wake-up) is lost, and failing the batch would have its halves dead-lettered.
                log.error("%s: after applying a batch, %s failed (%s)", self._name, "after_commit", type(error).__name__)
        return len(batch.delivered)

    async def _commit(self, batch: PreparedBatch, session: AsyncClientSession, options: dict[str, Any]) -> None:
        # Read the offsets again inside the transaction: another consumer of the group (after a
        # rebalance) may have applied some of these records since the check above, and a retried
        # transaction must not apply them a second time.
        stored = await stored_positions(self._offsets, self._name, session)
        fresh = [item for item in batch.delivered if item.offset > stored.get((item.topic, item.partition), -1)]
        if fresh:
            # The digest made at prepare time holds unless some of the batch was applied since.
            await self._apply(batch.digested if len(fresh) == len(batch.delivered) else self._digest(fresh), session, **options)
        await advance_positions(self._offsets, self._name, batch.reached, session)

    async def _dead_letter(self, record: RecordLike, reason: str, *, kind: str = "invalid") -> None:
        # Published (and acknowledged) before the offsets move past it: a crash in between sends it
        # to the dead-letter topic a second time, never zero times.
        letter = DeadLetter.of(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            consumer=self._consumer,
            reason=reason,
        )
        await publish_dead_letter(self._dead_letters, letter, key=record.key, topic=self._topics.deadletter)
        DEAD_LETTERS.labels(consumer=self._consumer, topic=self._topics.contract_name(record.topic) or record.topic, kind=kind).inc()
        log.warning(
            "dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason, extra=event_fields(_event_id_of(record))
        )


def _event_id_of(record: RecordLike) -> Any:
    """The event id of a record, where it is known without decoding (for log lines)."""
    if isinstance(record, Delivered):
        return record.event.event_id
    return next((value.decode("ascii", "replace") for key, value in getattr(record, "headers", None) or () if key == "event_id"), None)
