"""The thin FastStream adapter: a batch subscriber whose batches are decoded while the previous
one is applied (`pipeline`), applied exactly once (`processor`), retried or isolated on failure
(`isolation`), and whose Kafka offsets are committed only once applied."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage

from organising_shared.metrics import (
    PROJECTION_BATCH_RECORDS,
    PROJECTION_BATCH_SECONDS,
    PROJECTION_EVENTS,
    PROJECTION_RETRIES,
    watch_projection,
)
from organising_shared.observability.tracing import batch_span
from organising_shared.projections.batch import (
    PreparedBatch,
    RecordLike,
    next_positions,
)
from organising_shared.projections.isolation import (
    BatchProjector,
    apply_isolating,
    retry_while_transient,
)
from organising_shared.projections.pipeline import ApplyPipeline

log = logging.getLogger(__name__)

# How long a fetch waits at the broker for records, and FastStream after an empty poll (see
# `subscribe_projection`).
FETCH_MAX_WAIT_MS = 100
BATCH_TIMEOUT_MS = 50

# A stopping service waits this long for the batch in flight (`PipelinedProjection.close`).
CLOSE_TIMEOUT_SECONDS = 10.0


async def _records_undecoded(message: Any) -> None:
    """The projector decodes each record itself (`decode_event`, with its reasons); FastStream's
    own decoder would build a message object and parse the JSON of every record once more."""
    return None


CommitOffsets = Callable[[dict[TopicPartition, int]], Awaitable[Any]]


class PipelinedProjection:
    """What the subscriber does with each batch: decode it, then apply it in the background
    while the next batch is fetched and decoded, and commit its Kafka offsets only once its
    transaction has committed.

    Applies (and commits) stay one at a time and in order. Kafka offsets are committed
    explicitly, per batch: the consumer's position is already past the next batch by then.
    Transient failures are retried (`retry_while_transient`); events that fail for good are
    dead-lettered and the rest applied (`apply_isolating`). How long the oldest batch has been
    waiting is `stalled_seconds()`, for readiness and metrics. A failure that is neither (a
    defect of the projection itself) sets `failure`: the projection then holds the subscriber
    and takes no further batch, the service's liveness check fails, and a restart reads the
    batch again from the stored offsets.
    """

    def __init__(self, projector: BatchProjector, *, name: str) -> None:
        self._projector = projector
        self.name = name
        self._pipeline = ApplyPipeline()
        self._closing = False
        self._waiting_since: list[float] = []  # when each batch not yet applied was received, oldest first
        self.failure: BaseException | None = None
        self.refusal: str | None = None
        self._stopping = asyncio.Event()
        watch_projection(self)

    def stalled_seconds(self) -> float:
        """How long the oldest batch received but not yet applied has waited (0 when none)."""
        return time.monotonic() - self._waiting_since[0] if self._waiting_since else 0.0

    async def handle(self, records: Sequence[RecordLike], commit: CommitOffsets, highwater: Highwater | None = None) -> None:
        """Decode `records`, wait for the batch before them, then start applying them.

        Called by one subscriber task at a time (FastStream calls a subscriber's handler for one
        batch after another), as `ApplyPipeline` requires. `highwater` (the consumer's) gives a
        partition's end offset as last fetched: records skipped as applied before, in a partition
        that now ends at or below the stored offset, mean the topic was recreated or lost its
        data, and the projection refuses to go on (`refusal`) rather than skip its new records.
        """
        if self.failure is not None or self.refusal is not None:
            await self._hold()
            return
        positions = next_positions(records)
        received = time.monotonic()
        self._waiting_since.append(received)
        PROJECTION_BATCH_RECORDS.labels(projection=self.name).observe(len(records))
        traced = batch_span(self.name, records)  # ends when the batch is applied, or fails

        def retried(_error: BaseException) -> None:
            PROJECTION_RETRIES.labels(projection=self.name).inc()

        async def apply_then_commit(prepared: PreparedBatch | None) -> int:
            try:
                applied = await retry_while_transient(
                    lambda: apply_isolating(self._projector, prepared), what=f"projection {self.name}", on_retry=retried
                )
            except Exception as error:
                self._fail(error)
                traced.failed(error)
                raise
            await _commit_offsets(commit, positions)
            traced.applied(applied)
            self._waiting_since.remove(received)
            PROJECTION_EVENTS.labels(projection=self.name).inc(applied)
            PROJECTION_BATCH_SECONDS.labels(projection=self.name).observe(time.monotonic() - received)
            return applied

        try:
            prepared = await retry_while_transient(
                lambda: self._projector.prepare(records), what=f"decoding for {self.name}", on_retry=retried
            )
            if highwater is not None and (refusal := topic_behind_offsets(prepared, highwater)):
                self.refusal = refusal
                log.critical("projection %s refuses to consume: %s", self.name, refusal)
                await self._hold()
                return
            await self._pipeline.submit(lambda: apply_then_commit(prepared))
            if self._closing:
                await self._pipeline.drain()  # nothing is left running behind a closing consumer
        except asyncio.CancelledError:
            # The consumer is being stopped: a batch not yet committed is redelivered later.
            await self._pipeline.abandon()
            self._waiting_since.clear()
            raise
        except Exception as error:  # noqa: BLE001 - neither transient nor isolated: the latch below, not a crash
            self._fail(error)
            traced.failed(error)
            await self._hold()

    def _fail(self, error: BaseException) -> None:
        # Neither transient nor isolated to some events: a defect of the projection itself.
        # Taking the next batch would commit offsets past this one and lose it silently.
        if self.failure is None:
            self.failure = error
            log.critical("projection %s stopped: a batch failed for good (%s); restart the service", self.name, type(error).__name__)

    async def _hold(self) -> None:
        """Take no further batch until the service stops (its liveness check fails meanwhile)."""
        await self._stopping.wait()

    async def close(self, timeout: float = CLOSE_TIMEOUT_SECONDS) -> None:
        """Let the batch in flight finish (within `timeout` seconds). Call it before the broker
        stops: the batch's offsets are committed through the broker's consumer."""
        self._closing = True
        self._stopping.set()
        try:
            async with asyncio.timeout(timeout):
                await self._pipeline.drain()
        except TimeoutError:
            log.warning("projection %s: the batch in flight did not finish within %s s; it will be redelivered", self.name, timeout)
            await self._pipeline.abandon()
        except asyncio.CancelledError:
            await self._pipeline.abandon()
            raise
        except Exception:  # noqa: BLE001 - already recorded in `failure` by the handler that submitted it
            pass
        finally:
            self._waiting_since.clear()


Highwater = Callable[[TopicPartition], int | None]


def topic_behind_offsets(prepared: PreparedBatch | None, highwater: Highwater) -> str | None:
    """Why consuming must stop, if a partition whose records were skipped as applied before now
    ends at or below the offset stored as applied: its topic was recreated or lost its data, and
    the skip rule would drop every new record up to the old offset without a word.

    A recreated topic that already holds more records than the stored offset is not seen here.
    """
    if not isinstance(prepared, PreparedBatch):
        return None
    for (topic, partition), stored in sorted(prepared.skipped.items()):
        end = highwater(TopicPartition(topic, partition))
        if end is not None and end <= stored:
            return (
                f"{topic}[{partition}] ends at offset {end}, but this projection has applied it up to offset {stored}: "
                "the topic was recreated or lost its data (see docs/operations.md)"
            )
    return None


async def _commit_offsets(commit: CommitOffsets, positions: dict[TopicPartition, int]) -> None:
    try:
        await commit(positions)
    except Exception as error:  # noqa: BLE001 - a commit is only a bookmark; the stored offsets decide
        # Lost in a rebalance, or the consumer is closing: whoever reads these partitions next
        # gets the records again and skips them by the offsets stored with the projection.
        log.warning(
            "could not commit %s offsets (%s: %s); they will be redelivered and skipped", len(positions), type(error).__name__, error
        )


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
        # that covers only idle partitions holds back the busy ones. FastStream also sleeps
        # `batch_timeout_ms` after an empty poll. 100/50 ms keeps publish -> visible low; 20/20 ms
        # was no fresher but its idle polling slowed the API (`python -m bench projection`,
        # freshness and GET phases; figures in services/reporting/README.md).
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        batch_timeout_ms=BATCH_TIMEOUT_MS,
        max_partition_fetch_bytes=partition_fetch_bytes,
        title=f"{group_id}/projection",
    )
    async def on_organising_records(message: KafkaMessage) -> None:
        consumer: Any = message.consumer  # aiokafka's AIOKafkaConsumer (FastStream types it more narrowly)
        await projection.handle(message.raw_message, consumer.commit, consumer.highwater)

    return projection
