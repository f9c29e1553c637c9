"""Exactly-once projections from Kafka into MongoDB (docs/architecture.md, "Exactly-once projections").

A batch of records is decoded; what cannot be accepted goes to the dead-letter topic; the valid
events are applied by the projection together with the offsets they reach, in one MongoDB
transaction; only then is the Kafka offset committed. A record at or below the stored offset of
its partition was applied before (a redelivery after a crash or a rebalance) and is skipped, so a
crash at any point neither loses nor double-counts an event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.deadletter import DeadLetter, publish_dead_letter
from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import Event
from organising_shared.pipeline import ApplyPipeline
from organising_shared.topics import Topics

log = logging.getLogger(__name__)

OFFSETS_COLLECTION = "projection_offsets"
# A stopping service waits this long for the batch in flight (`PipelinedProjection.close`).
CLOSE_TIMEOUT_SECONDS = 10.0


class RecordLike(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class Delivered:
    """A valid event and where it came from."""

    event: Event
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class PreparedBatch:
    """A batch decoded and ready to apply: its valid events, what the projection's `digest` made
    of them ahead of the transaction, and the offsets the batch reaches."""

    delivered: list[Delivered]
    digested: Any
    reached: dict[tuple[str, int], int]


Digest = Callable[[Sequence[Delivered]], Any]
ApplyBatch = Callable[[Any, AsyncClientSession], Awaitable[Any]]


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
        after_commit: Callable[[Sequence[Delivered]], Awaitable[Any]] | None = None,
        consumer: str | None = None,
    ) -> None:
        self._database = database
        # The service named in dead letters; `name` (the offsets' key) may be more specific.
        self._consumer = consumer or name
        self._offsets = database[OFFSETS_COLLECTION]
        self._name = name
        self._apply = apply
        self._digest = digest
        self._topics = topics
        self._federations = frozenset(federations) if federations is not None else None
        self._dead_letters = dead_letters
        self._after_commit = after_commit

    async def stored_offsets(self) -> dict[tuple[str, int], int]:
        """The last applied offset of every partition this projection has seen."""
        return {
            (row["topic"], row["partition"]): row["offset"]
            async for row in self._offsets.find({"projection": self._name})
        }

    async def prepare(self, records: Sequence[RecordLike], *, yield_every: int | None = None) -> PreparedBatch | None:
        """Decode the records not applied yet and dead-letter the invalid ones (no transaction).

        `yield_every` lets other tasks run between records: the batch before this one is being
        applied meanwhile (`organising_shared.pipeline`), and its transaction should not wait
        for the whole decode between two of its round trips.
        """
        stored = await self.stored_offsets()
        fresh = [r for r in records if r.offset > stored.get((r.topic, r.partition), -1)]
        if not fresh:
            return None
        delivered: list[Delivered] = []
        for position, record in enumerate(fresh, start=1):
            outcome = decode_event(record.value, federations=self._federations, topic=self._topics.contract_name(record.topic))
            if isinstance(outcome, Rejection):
                await self._dead_letter(record, outcome.reason)
            else:
                delivered.append(Delivered(outcome, record.topic, record.partition, record.offset))
            if yield_every and position % yield_every == 0:
                await asyncio.sleep(0)
        return PreparedBatch(delivered, self._digest(delivered), _highest_offsets(fresh))

    async def apply(self, batch: PreparedBatch | None) -> int:
        """Apply a prepared batch with its offsets in one transaction; returns how many events."""
        if batch is None:
            return 0
        async with self._database.client.start_session() as session:
            await session.with_transaction(lambda s: self._commit(batch, s))
        if self._after_commit is not None and batch.delivered:
            await self._after_commit(batch.delivered)
        return len(batch.delivered)

    async def _commit(self, batch: PreparedBatch, session: AsyncClientSession) -> None:
        # Read the offsets again inside the transaction: another consumer of the group (after a
        # rebalance) may have applied some of these records since the check above, and a retried
        # transaction must not apply them a second time.
        stored = {
            (row["topic"], row["partition"]): row["offset"]
            async for row in self._offsets.find({"projection": self._name}, session=session)
        }
        fresh = [item for item in batch.delivered if item.offset > stored.get((item.topic, item.partition), -1)]
        if fresh:
            # The digest made at prepare time holds unless some of the batch was applied since.
            await self._apply(batch.digested if len(fresh) == len(batch.delivered) else self._digest(fresh), session)
        await self._offsets.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{self._name}|{topic}|{partition}"},
                    {"$max": {"offset": offset}, "$set": {"projection": self._name, "topic": topic, "partition": partition}},
                    upsert=True,
                )
                for (topic, partition), offset in batch.reached.items()
            ],
            session=session,
            ordered=False,
        )

    async def _dead_letter(self, record: RecordLike, reason: str) -> None:
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
        log.warning("dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason)


def _highest_offsets(records: Sequence[RecordLike]) -> dict[tuple[str, int], int]:
    reached: dict[tuple[str, int], int] = {}
    for record in records:
        position = (record.topic, record.partition)
        reached[position] = max(reached.get(position, -1), record.offset)
    return reached


async def retry_forever(operation: Callable[[], Awaitable[Any]], *, what: str, first_delay: float = 0.2, max_delay: float = 10.0) -> Any:
    """Keep trying while the store or broker is away: a batch is never skipped, only delayed."""
    delay = first_delay
    while True:
        try:
            return await operation()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure means "not applied yet"
            log.warning("%s failed (%s: %s); retrying in %.1f s", what, type(error).__name__, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)


async def _records_undecoded(message: Any) -> None:
    """The projector decodes each record itself (`decode_event`, with its reasons); FastStream's
    own decoder would build a message object and parse the JSON of every record once more."""
    return None


class BatchProjector(Protocol):
    async def prepare(self, records: Sequence[RecordLike]) -> PreparedBatch | None: ...

    async def apply(self, batch: PreparedBatch | None) -> int: ...


CommitOffsets = Callable[[dict[TopicPartition, int]], Awaitable[Any]]


class PipelinedProjection:
    """What the subscriber does with each batch: decode it, then apply it in the background
    while the next batch is fetched and decoded, and commit its Kafka offsets only once its
    transaction has committed.

    Applies (and commits) stay one at a time and in order. Kafka offsets are committed
    explicitly, per batch: the consumer's position is already past the next batch by then.
    """

    def __init__(self, projector: BatchProjector, *, name: str) -> None:
        self._projector = projector
        self._name = name
        self._pipeline = ApplyPipeline()
        self._closing = False

    async def handle(self, records: Sequence[RecordLike], commit: CommitOffsets) -> None:
        """Decode `records`, wait for the batch before them, then start applying them.

        Called by one subscriber task at a time (FastStream calls a subscriber's handler for one
        batch after another), as `ApplyPipeline` requires.
        """
        positions = _next_positions(records)

        async def apply_then_commit(prepared: PreparedBatch | None) -> int:
            applied = await retry_forever(lambda: self._projector.apply(prepared), what=f"projection {self._name}")
            await _commit_offsets(commit, positions)
            return applied

        try:
            prepared = await retry_forever(lambda: self._projector.prepare(records), what=f"decoding for {self._name}")
            await self._pipeline.submit(lambda: apply_then_commit(prepared))
            if self._closing:
                await self._pipeline.drain()  # nothing is left running behind a closing consumer
        except asyncio.CancelledError:
            # The consumer is being stopped: a batch not yet committed is redelivered later.
            await self._pipeline.abandon()
            raise

    async def close(self, timeout: float = CLOSE_TIMEOUT_SECONDS) -> None:
        """Let the batch in flight finish (within `timeout` seconds). Call it before the broker
        stops: the batch's offsets are committed through the broker's consumer."""
        self._closing = True
        try:
            async with asyncio.timeout(timeout):
                await self._pipeline.drain()
        except TimeoutError:
            log.warning("projection %s: the batch in flight did not finish within %s s; it will be redelivered", self._name, timeout)
            await self._pipeline.abandon()
        except asyncio.CancelledError:
            await self._pipeline.abandon()
            raise


def _next_positions(records: Sequence[RecordLike]) -> dict[TopicPartition, int]:
    """Kafka's committed offset is the next record to read: one past the highest of each partition."""
    return {TopicPartition(topic, partition): offset + 1 for (topic, partition), offset in _highest_offsets(records).items()}


async def _commit_offsets(commit: CommitOffsets, positions: dict[TopicPartition, int]) -> None:
    try:
        await commit(positions)
    except Exception as error:  # noqa: BLE001 - a commit is only a bookmark; the stored offsets decide
        # Lost in a rebalance, or the consumer is closing: whoever reads these partitions next
        # gets the records again and skips them by the offsets stored with the projection.
        log.warning("could not commit %s offsets (%s: %s); they will be redelivered and skipped", len(positions), type(error).__name__, error)


def subscribe_projection(
    broker: Any,
    projector: BatchProjector,
    *,
    topics: Sequence[str],
    group_id: str,
    max_records: int = 2000,
    partition_fetch_bytes: int = 1024 * 1024,
) -> PipelinedProjection:
    """A thin FastStream batch subscriber around `projector`, committing only what is applied.

    The ack policy is manual (FastStream's default commits before the handler runs); each
    batch's offsets are committed by `PipelinedProjection` once the batch is applied. Call
    `close()` on what this returns before the broker stops.

    `partition_fetch_bytes` is the most one fetch takes from a partition (aiokafka's default,
    1 MB, unless given): a batch holds at most what one fetch brought, so large `max_records`
    need it larger.
    """
    projection = PipelinedProjection(projector, name=group_id)

    @broker.subscriber(
        *topics,
        batch=True,
        decoder=_records_undecoded,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        max_records=max_records,
        # aiokafka keeps one fetch per broker in flight, and with the default 500 ms wait a fetch
        # that covers only idle partitions holds back the busy ones: measured 11-15 idle gaps of
        # 0.2-0.45 s per 10 s at 500 events/s. FastStream also sleeps `batch_timeout_ms` after
        # an empty poll. At 100/50 ms publish -> visible p99 was 431-455 ms; 20/20 ms was no
        # fresher but the idle polling cost the API (GET p99 50-61 ms against 33-44 ms).
        fetch_max_wait_ms=100,
        batch_timeout_ms=50,
        max_partition_fetch_bytes=partition_fetch_bytes,
        title=f"{group_id}/projection",
    )
    async def on_organising_records(message: KafkaMessage) -> None:
        await projection.handle(message.raw_message, message.consumer.commit)

    return projection
