"""The reporting projection's per-event budget: where each event's time goes (fetch, decode,
digest, store, commit), against each step's floor measured alone in the same run.

    .venv/bin/python -m bench budget
    BENCH_BUDGET_EVENTS=20000 BENCH_BUDGET_SMALL_EVENTS=2000 .venv/bin/python -m bench budget

One local Kafka and SecantusDB (`local_processes`), two regimes, each on its own topics and
databases: large batches as the service takes a backlog (`batch_max_records` of the reporting
config, `BENCH_BUDGET_EVENTS` events, default 100,000), and batches of `BENCH_BUDGET_SMALL_BATCH`
(25) events as at 500 events/s of live traffic (`BENCH_BUDGET_SMALL_EVENTS`, default 5,000; 0
leaves the regime out). The small batches are read from a backlog too: the figures are the
processing of a 25-event batch, not the consumer's waits for records to arrive.

The whole: the service's own per-batch code in this process — `PipelinedProjection.handle` over a
`ReportingProjector` (prepare = decode + digest, then apply in one transaction with the offsets,
then the Kafka offset commit, the next batch decoded while the store applies the one before) —
fed by an aiokafka consumer set up as `subscribe_projection` sets FastStream's (same fetch sizes
and waits, manual commits, its group; partitions assigned rather than subscribed, so that no
group join sits inside the clock). Whole = wall time from the first fetch to the last batch's
Kafka commit, per event. While it runs each step is timed where it happens, without touching the
production code: the module functions `decode_event`, `digest_batch` and `generation_apply` are
wrapped for the phase (restored after it), and a PyMongo `CommandListener` times every store
command. The pipeline overlaps steps (the store applies batch n while batch n+1 is fetched and
decoded, on the same event loop), so the steps may add up to more than the whole, and a step that
awaits (fetch, store, commit) is timed by the wall clock: it includes the loop's time on the other
batch meanwhile. Before the first regime a warm-up runs the whole once, unmeasured, on its own
topics; before each whole its records are read once, untimed (a fresh broker's first read of a
log is slower). Everything runs under the service's garbage-collector setting (`rare_collections`).

Steps, as timed in the pipeline, and their floors alone (each after the whole, on the whole's
own batches, nothing else running in this process):

- fetch: the time spent in `getmany`. Alone: a bare aiokafka consumer (no group, same fetch
  settings and batch size) reading the same N records from the beginning and doing nothing else.
- decode: the time inside `decode_event` (JSON → validated event), record by record. Alone: the
  same function, same arguments, over the raw values of the same batches, in a plain loop.
- digest: the time inside `digest_batch` per batch. Alone: `digest_batch` over the same batches
  already decoded.
- store: the batch's transaction up to its commit — the projection's `apply` (pointer check,
  ledger, units, cases, counters: its round trips and the counting between them) — plus the
  offsets reads (before and inside the transaction). Alone: the same digested batches applied
  in order by the same `generation_apply` to a fresh generation in a fresh database, one
  transaction each with the same offsets reads; the commit of those transactions is left out
  (printed apart, "not in any floor": it grows with the writes, unlike the commit floor).
- commit: the offsets update and `commitTransaction` (command times) plus the Kafka offset commit.
  Alone: per batch, a transaction that only writes the batch's offsets and commits, then a Kafka
  commit of the same positions by a consumer of its own group.

The goal (issue #17): the whole within 1.5× the sum of the floors. The store round trips per
batch (and the documents they send) are printed for both, with their time: at 25 events a batch,
the per-batch fixed costs are what the budget is made of. The timing itself costs a little: a
wrapper call per decoded record and a listener call per store command, in the whole only.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import bson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from bench.bench_projection import publish, reporting_settings, workload
from bench.table import Row
from organising_shared.decoding import Rejection, decode_event
from organising_shared.heap import rare_collections
from organising_shared.kafka import ensure_organising_topics
from organising_shared.mongo import make_mongo_client
from organising_shared.projections import CLOSE_TIMEOUT_SECONDS, OFFSETS_COLLECTION, Delivered, PipelinedProjection, next_positions
from organising_shared.projections import processor as processor_module
from organising_shared.projections.batch import Position, highest_offsets
from organising_shared.projections.faststream import BATCH_TIMEOUT_MS, FETCH_MAX_WAIT_MS
from organising_shared.projections.tracking import advance_positions, offsets_of, stored_positions
from organising_shared.testing.infrastructure import Infrastructure, local_processes
from reporting.config import ReportingSettings
from reporting.main import COLLECT_AFTER_OBJECTS
from reporting.projection import projector as projector_module
from reporting.projection.apply import BatchChanges, digest_batch
from reporting.projection.consumers import PARTITION_FETCH_BYTES, consumed_topics
from reporting.projection.generations import current_generation, ensure_current_generation
from reporting.projection.projector import ReportingProjector, apply_exactly_once, generation_apply
from reporting.read_model.ledger import MemberLedger

EVENTS = int(os.environ.get("BENCH_BUDGET_EVENTS", "100000"))
SMALL_EVENTS = int(os.environ.get("BENCH_BUDGET_SMALL_EVENTS", "5000"))
SMALL_BATCH = int(os.environ.get("BENCH_BUDGET_SMALL_BATCH", "25"))
WARMUP_EVENTS = int(os.environ.get("BENCH_BUDGET_WARMUP_EVENTS", "2000"))
GOAL_RATIO = 1.5
STEPS = ("fetch", "decode", "digest", "store", "commit")
# Every phase gets this long plus one second per this many events; slower than that is broken.
DEADLINE_SECONDS = 60
SLOWEST_EVENTS_PER_SECOND = 200
# Store commands that belong to the commit step; every other command is the store's.
COMMIT_COMMANDS = {"commitTransaction", "abortTransaction", f"update {OFFSETS_COLLECTION}"}
_IN_APPLY: contextvars.ContextVar[bool] = contextvars.ContextVar("in_apply", default=False)


@dataclass
class StepTimes:
    """Seconds spent in each step over a phase, and the store round trips seen meanwhile."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STEPS, 0.0))
    round_trips: Counter[str] = field(default_factory=Counter)
    round_trip_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    documents: Counter[str] = field(default_factory=Counter)  # documents sent by inserts and updates
    kafka_commit: float = 0.0  # the Kafka offset commit's part of the commit step
    events: int = 0
    batches: int = 0
    wall: float = 0.0  # the whole, first fetch to last commit (pipeline only)
    cpu: float = 0.0  # this process's CPU time meanwhile (pipeline only)

    def add(self, step: str, seconds: float) -> None:
        self.seconds[step] += seconds

    def per_event(self, step: str, events: int) -> float:
        """µs per event."""
        return self.seconds[step] / events * 1e6

    def store_round_trip_seconds(self) -> float:
        return sum(seconds for label, seconds in self.round_trip_seconds.items() if label not in COMMIT_COMMANDS)


@contextlib.contextmanager
def stopwatch(times: StepTimes, step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        times.add(step, time.perf_counter() - started)


class CommandTimes(monitoring.CommandListener):
    """Times every store command of the phase being recorded, by `<command> <collection>`.

    With `attribute`, a command outside the projection's `apply` (which is timed as a whole) is
    also added to its step: commit for the offsets update and the transaction's end, store for
    the rest (offsets and pointer reads)."""

    def __init__(self) -> None:
        self._times: StepTimes | None = None
        self._attribute = False
        self._started: dict[int, tuple[str, bool]] = {}

    @contextlib.contextmanager
    def recording(self, times: StepTimes, *, attribute: bool = False) -> Iterator[None]:
        self._times, self._attribute = times, attribute
        try:
            yield
        finally:
            self._times, self._attribute = None, False
            self._started.clear()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self._times is not None:
            label = _label(event.command_name, event.command)
            self._started[event.request_id] = (label, _IN_APPLY.get())
            self._times.documents[label] += len(event.command.get(_SENT.get(event.command_name, ""), ()))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finished(event.request_id, event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finished(event.request_id, event.duration_micros / 1e6)

    def _finished(self, request_id: int, seconds: float) -> None:
        started = self._started.pop(request_id, None)
        if started is None or self._times is None:
            return
        label, in_apply = started
        self._times.round_trips[label] += 1
        self._times.round_trip_seconds[label] += seconds
        if self._attribute and not in_apply:
            self._times.add("commit" if label in COMMIT_COMMANDS else "store", seconds)


_SENT = {"insert": "documents", "update": "updates", "delete": "deletes"}


def _label(name: str, command: Any) -> str:
    collection = command.get("collection") if name == "getMore" else command.get(name)
    return f"{name} {collection}" if isinstance(collection, str) else name


class Deadline:
    """A phase's deadline: `asyncio.timeout` for what awaits, `check()` between batches of CPU work."""

    def __init__(self, what: str, events: int) -> None:
        self.what = what
        self.seconds = DEADLINE_SECONDS + events / SLOWEST_EVENTS_PER_SECOND
        self._ends = time.monotonic() + self.seconds

    def timeout(self) -> asyncio.Timeout:
        return asyncio.timeout(self.seconds)

    def check(self) -> None:
        if time.monotonic() > self._ends:
            raise TimeoutError(f"{self.what} took more than {self.seconds:.0f} s")


class _NoDeadLetters:
    """The dead-letter publisher: the workload is valid throughout, so none should come."""

    def __init__(self) -> None:
        self.count = 0

    async def publish(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1


# --- the whole: the service's per-batch path, instrumented ---------------------------------------


def _timed(function: Callable[..., Any], times: StepTimes, step: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times.add(step, time.perf_counter() - started)

    return timed


def _timed_generation_apply(times: StepTimes) -> Callable[..., Callable[..., Awaitable[Any]]]:
    """`generation_apply`, whose apply is timed as the store step (its commands marked as inside it)."""

    def make(generation: Any, ledger: MemberLedger) -> Callable[..., Awaitable[Any]]:
        apply = generation_apply(generation, ledger)

        async def timed(changes: BatchChanges, session: Any, **options: Any) -> Any:
            marked = _IN_APPLY.set(True)
            try:
                with stopwatch(times, "store"):
                    return await apply(changes, session, **options)
            finally:
                _IN_APPLY.reset(marked)

        return timed

    return make


@contextlib.contextmanager
def instrumented(times: StepTimes) -> Iterator[None]:
    """Time decode, digest and the projection's apply where the production code calls them."""
    with (
        mock.patch.object(processor_module, "decode_event", _timed(decode_event, times, "decode")),
        mock.patch.object(projector_module, "digest_batch", _timed(digest_batch, times, "digest")),
        mock.patch.object(projector_module, "generation_apply", _timed_generation_apply(times)),
    ):
        yield


def consumed_partitions(settings: ReportingSettings) -> list[TopicPartition]:
    """Every partition of the topics the reporting service consumes (`consumers.register_consumers`)."""
    return [TopicPartition(name, partition) for name in consumed_topics(settings.topics) for partition in range(settings.topic_partitions)]


async def started_consumer(settings: ReportingSettings, group_id: str | None) -> AIOKafkaConsumer:
    """A consumer set up as `subscribe_projection` sets FastStream's, assigned every partition,
    its positions known (the group's coordinator found, committed offsets read or reset): a
    one-off at start-up that the clocks leave out."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
    )
    await consumer.start()
    partitions = consumed_partitions(settings)
    consumer.assign(partitions)
    for partition in partitions:
        await consumer.position(partition)
    return consumer


async def kafka_commit(consumer: AIOKafkaConsumer, positions: dict[TopicPartition, int], times: StepTimes) -> None:
    started = time.perf_counter()
    await consumer.commit(positions)
    seconds = time.perf_counter() - started
    times.kafka_commit += seconds
    times.add("commit", seconds)


async def fetch_batch(consumer: AIOKafkaConsumer, max_records: int) -> list[ConsumerRecord]:
    """One batch as FastStream's batch subscriber takes it (sleeping after an empty poll as it does)."""
    fetched = await consumer.getmany(timeout_ms=BATCH_TIMEOUT_MS, max_records=max_records)
    if not fetched:
        await asyncio.sleep(BATCH_TIMEOUT_MS / 1000)
    return [record for part in fetched.values() for record in part]


async def whole(
    settings: ReportingSettings, database: AsyncDatabase, listener: CommandTimes, count: int, max_records: int
) -> tuple[StepTimes, list[list[ConsumerRecord]]]:
    """The projection over `count` events, each step timed; returns the times and the batches."""
    await ensure_current_generation(database)
    times = StepTimes()
    dead_letters = _NoDeadLetters()
    projector = ReportingProjector(
        database=database,
        topics=settings.topics,
        federations=settings.publishers,
        programmes=settings.programme_codes,
        dead_letters=dead_letters,
        keep_event_log=settings.event_log,
    )
    projection = PipelinedProjection(projector, name=settings.consumer_group)
    consumer = await started_consumer(settings, settings.consumer_group)
    batches: list[list[ConsumerRecord]] = []

    async def commit(positions: dict[TopicPartition, int]) -> None:
        await kafka_commit(consumer, positions, times)

    try:
        with instrumented(times), listener.recording(times, attribute=True):
            started, cpu = time.perf_counter(), time.process_time()
            while times.events < count:
                with stopwatch(times, "fetch"):
                    records = await fetch_batch(consumer, max_records)
                if records:
                    batches.append(records)
                    times.events += len(records)
                    await projection.handle(records, commit, consumer.highwater)
                    if projection.failure is not None or projection.refusal is not None:
                        raise RuntimeError(f"the projection stopped: {projection.failure or projection.refusal}")
            await projection.close(timeout=CLOSE_TIMEOUT_SECONDS)
            times.wall, times.cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await projection.close(timeout=CLOSE_TIMEOUT_SECONDS)
        await consumer.stop()
    times.batches = len(batches)
    await _check_applied(database, count, dead_letters)
    return times, batches


async def _check_applied(database: AsyncDatabase, count: int, dead_letters: _NoDeadLetters) -> None:
    generation = await current_generation(database)
    applied = sum(offset + 1 for offset in (await stored_positions(offsets_of(database), generation.projector_name)).values())
    if applied != count or dead_letters.count:
        raise RuntimeError(f"the whole applied up to {applied} of {count} records, {dead_letters.count} dead-lettered")


# --- the floors: each step alone -------------------------------------------------------------------


async def fetch_alone(settings: ReportingSettings, count: int, max_records: int, times: StepTimes) -> None:
    """A bare consumer (no group) reading the same records from the start, nothing else."""
    consumer = await started_consumer(settings, None)
    try:
        fetched = 0
        with stopwatch(times, "fetch"):
            while fetched < count:
                fetched += len(await fetch_batch(consumer, max_records))
    finally:
        await consumer.stop()


async def read_once(settings: ReportingSettings, count: int) -> None:
    """Read the records once, untimed, before the whole: a freshly started broker serves its
    first reads of a log slower than the later ones, and the whole would pay that alone."""
    await fetch_alone(settings, count, max_records=settings.batch_max_records, times=StepTimes())


def decode_and_digest_alone(
    settings: ReportingSettings, batches: Sequence[Sequence[ConsumerRecord]], times: StepTimes, deadline: Deadline
) -> list[BatchChanges]:
    """`decode_event` over each batch's raw values, then `digest_batch` over the decoded batch,
    each timed on its own; returns the digested batches."""
    federations, programmes, topics = frozenset(settings.publishers), frozenset(settings.programme_codes), settings.topics
    digested = []
    for records in batches:
        with stopwatch(times, "decode"):
            outcomes = [
                decode_event(record.value, federations=federations, programmes=programmes, topic=topics.contract_name(record.topic))
                for record in records
            ]
        delivered = [
            Delivered(outcome, record.topic, record.partition, record.offset, record.key, record.value)
            for outcome, record in zip(outcomes, records, strict=True)
            if not isinstance(outcome, Rejection)
        ]
        with stopwatch(times, "digest"):
            digested.append(digest_batch(delivered))
        deadline.check()
    return digested


async def store_alone(database: AsyncDatabase, digested: Sequence[BatchChanges], times: StepTimes) -> None:
    """The digested batches applied in order to the generation of `database` (a fresh one, made
    ready by `ensure_current_generation`), one transaction each, with the pipeline's offsets
    reads; the commit of each transaction is not counted."""
    generation = await current_generation(database)
    ledger = MemberLedger(generation.members)
    apply = generation_apply(generation, ledger)
    offsets, name = offsets_of(database), generation.projector_name

    async def body(changes: BatchChanges, session: Any) -> None:
        with stopwatch(times, "store"):
            await stored_positions(offsets, name, session)
            await apply(changes, session)

    async def one_transaction(changes: BatchChanges) -> int:
        async with database.client.start_session() as session:
            await session.with_transaction(functools.partial(body, changes))
        return 1

    for changes in digested:
        with stopwatch(times, "store"):
            await stored_positions(offsets, name)
        await apply_exactly_once(ledger, functools.partial(one_transaction, changes))


async def commit_alone(
    settings: ReportingSettings, database: AsyncDatabase, batches: Sequence[Sequence[ConsumerRecord]], times: StepTimes
) -> None:
    """Per batch: a transaction that only writes its offsets and commits, then its Kafka commit."""
    offsets, name = offsets_of(database), f"budget-commit-floor.{uuid.uuid4().hex[:8]}"
    consumer = await started_consumer(settings, f"{settings.consumer_group}-commit-floor")
    try:
        for records in batches:
            reached: dict[Position, int] = highest_offsets(records)
            async with database.client.start_session() as session:
                with stopwatch(times, "commit"):
                    await session.with_transaction(functools.partial(advance_positions, offsets, name, reached))
            await kafka_commit(consumer, next_positions(records), times)
    finally:
        await consumer.stop()


# --- one regime: publish, the whole, the floors -----------------------------------------------------


@dataclass
class Budget:
    title: str
    events: int
    max_records: int
    pipeline: StepTimes
    alone: StepTimes
    commit_after_writes: float  # seconds: the store floor's own commitTransactions (not in any floor)
    counters: str  # what the counter documents look like at the end

    def whole_us(self) -> float:
        return self.pipeline.wall / self.events * 1e6

    def floors_us(self) -> float:
        return sum(self.alone.per_event(step, self.events) for step in STEPS)

    def met(self) -> bool:
        return self.whole_us() <= GOAL_RATIO * self.floors_us()


async def published(settings: ReportingSettings, count: int, tag: str) -> None:
    await ensure_organising_topics(settings)
    async with Deadline("publishing", count).timeout():
        await publish(settings, workload(count, tag))
    async with Deadline("reading them once", count).timeout():
        await read_once(settings, count)


async def floors(
    settings: ReportingSettings,
    floor_database: AsyncDatabase,
    listener: CommandTimes,
    batches: list[list[ConsumerRecord]],
    max_records: int,
) -> tuple[StepTimes, float]:
    """Each step alone over the whole's batches; also the seconds the store floor's transactions
    took to commit (the commit of the writes themselves, which no floor counts)."""
    count = sum(len(records) for records in batches)
    alone = StepTimes(events=count, batches=len(batches))
    async with Deadline("the fetch alone", count).timeout():
        await fetch_alone(settings, count, max_records, alone)
    digested = decode_and_digest_alone(settings, batches, alone, Deadline("decode and digest alone", count))
    await ensure_current_generation(floor_database)
    store_times = StepTimes()
    async with Deadline("the store alone", count).timeout():
        with listener.recording(store_times):
            await store_alone(floor_database, digested, alone)
    async with Deadline("the commit alone", count).timeout():
        with listener.recording(alone):
            await commit_alone(settings, floor_database, batches, alone)
    commit_after_writes = store_times.round_trip_seconds.pop("commitTransaction", 0.0)
    del store_times.round_trips["commitTransaction"]
    alone.round_trips.update(store_times.round_trips)
    alone.documents.update(store_times.documents)
    for label, seconds in store_times.round_trip_seconds.items():
        alone.round_trip_seconds[label] += seconds
    return alone, commit_after_writes


async def counter_documents(database: AsyncDatabase) -> str:
    """How many counter documents there are and how large (each batch reads and rewrites the ones it touches)."""
    generation = await current_generation(database)
    sizes = [len(bson.encode(document)) async for document in generation.counters.find()]
    if not sizes:
        return "no counter documents"
    return f"{len(sizes)} counter documents, {sum(sizes) / len(sizes) / 1024:,.1f} KB on average, the largest {max(sizes) / 1024:,.1f} KB"


async def warm_up(infrastructure: Infrastructure, mongo: AsyncMongoClient, listener: CommandTimes, count: int) -> None:
    """The whole once over a few batches of its own, unmeasured: the first batches of a process
    pay one-offs that are no event's cost (the broker creates its group offsets topic for the
    first group, code runs for the first time here and in the store)."""
    tag = uuid.uuid4().hex[:8]
    settings = reporting_settings(infrastructure, f"budget{tag}")
    await published(settings, count, tag)
    async with Deadline("the warm-up", count).timeout():
        await whole(settings, mongo[settings.database], listener, count, max(1, count // 4))


async def measure(
    infrastructure: Infrastructure, mongo: AsyncMongoClient, listener: CommandTimes, title: str, count: int, max_records: int | None
) -> Budget:
    tag = uuid.uuid4().hex[:8]
    settings = reporting_settings(infrastructure, f"budget{tag}")
    max_records = max_records or settings.batch_max_records
    await published(settings, count, tag)
    async with Deadline("the whole", count).timeout():
        pipeline, batches = await whole(settings, mongo[settings.database], listener, count, max_records)
    print(f"  {title}: the whole took {pipeline.wall:.1f} s; now each step alone", flush=True)
    alone, commit_after_writes = await floors(settings, mongo[f"budget{tag}_floor"], listener, batches, max_records)
    counters = await counter_documents(mongo[settings.database])
    return Budget(title, count, max_records, pipeline, alone, commit_after_writes, counters)


# --- output ---------------------------------------------------------------------------------------


def step_lines(budget: Budget, per_batch: float) -> list[str]:
    """step | pipeline µs/event, ms/batch | alone µs/event, ms/batch | ratio"""
    pipeline, alone, events = budget.pipeline, budget.alone, budget.events

    def line(name: str, us: float, floor: float) -> str:
        ratio = f"{us / floor:6.2f}" if floor else "     —"
        return f"  {name:<26}{us:10.1f} {us * per_batch / 1000:9.2f}   {floor:10.1f} {floor * per_batch / 1000:9.2f}   {ratio}"

    lines = [f"  {'step':<26}{'pipeline µs/event':>18}{'ms/batch':>10}   {'alone µs/event':>13}{'ms/batch':>10}   ratio"]
    for step in STEPS:
        lines.append(line(step, pipeline.per_event(step, events), alone.per_event(step, events)))
        if step == "store":
            lines.append(
                line(
                    "  of which round trips",
                    pipeline.store_round_trip_seconds() / events * 1e6,
                    alone.store_round_trip_seconds() / events * 1e6,
                )
            )
        if step == "commit":
            lines.append(line("  of which Kafka commit", pipeline.kafka_commit / events * 1e6, alone.kafka_commit / events * 1e6))
    steps_sum = sum(pipeline.per_event(step, events) for step in STEPS)
    lines.append(line("steps, summed", steps_sum, budget.floors_us()))
    return lines


def whole_lines(budget: Budget, per_batch: float) -> list[str]:
    pipeline, events, batches = budget.pipeline, budget.events, budget.pipeline.batches
    whole_us, floors_us = budget.whole_us(), budget.floors_us()
    steps_sum = sum(pipeline.per_event(step, events) for step in STEPS)
    overlap = "the steps overlap it by" if steps_sum > whole_us else "outside every step:"
    return [
        f"  whole: {whole_us:,.1f} µs/event = {events / pipeline.wall:,.0f} events/s, {whole_us * per_batch / 1000:,.2f} ms/batch "
        f"(first fetch to last commit); {overlap} {abs(steps_sum - whole_us):,.1f} µs/event; "
        f"this process's CPU meanwhile {pipeline.cpu / events * 1e6:,.1f} µs/event",
        f"  whole / sum of floors: {whole_us:,.1f} / {floors_us:,.1f} = {whole_us / floors_us:.2f} (goal ≤ {GOAL_RATIO}): "
        f"{'met' if budget.met() else 'NOT met'}",
        f"  not in any floor: the commit of the store floor's own writes, {budget.commit_after_writes / events * 1e6:,.1f} µs/event "
        f"= {budget.commit_after_writes / batches * 1000:,.2f} ms/batch (the commit floor commits the offsets update only)",
        f"  {budget.counters}",
    ]


def round_trip_lines(budget: Budget) -> list[str]:
    pipeline, alone, batches = budget.pipeline, budget.alone, budget.pipeline.batches

    def cells(times: StepTimes, label: str | None) -> str:
        labels = [label] if label else list(times.round_trips)
        trips = sum(times.round_trips[name] for name in labels) / batches
        documents = sum(times.documents[name] for name in labels) / batches
        milliseconds = sum(times.round_trip_seconds.get(name, 0.0) for name in labels) / batches * 1000
        return f"{trips:7.1f} {documents:8.1f} {milliseconds:8.2f}"

    lines = [f"  store round trips per batch: {'':<22}{'pipeline: trips, docs sent, ms':>33}   | {'alone: trips, docs sent, ms':>28}"]
    for label in sorted(set(pipeline.round_trips) | set(alone.round_trips), key=lambda name: -pipeline.round_trip_seconds.get(name, 0.0)):
        lines.append(f"    {label:<48}{cells(pipeline, label)}   | {cells(alone, label)}")
    lines.append(f"    {'all':<48}{cells(pipeline, None)}   | {cells(alone, None)}")
    return lines


def report(budget: Budget) -> str:
    batches = budget.pipeline.batches
    per_batch = budget.events / batches  # events per batch on average: µs/event × this = µs/batch
    title = (
        f"{budget.title}: {budget.events:,} events in {batches} batches "
        f"(at most {budget.max_records:,} records, {per_batch:,.0f} on average)"
    )
    return "\n".join([title, *step_lines(budget, per_batch), *whole_lines(budget, per_batch), *round_trip_lines(budget)])


def row(budget: Budget, what: str) -> Row:
    return Row(
        what,
        measured=budget.whole_us(),
        baseline=budget.floors_us(),
        baseline_is="sum of the steps' floors, each measured alone",
        unit="µs/event",
        goal=f"whole ≤ {GOAL_RATIO} × sum of floors",
        met=budget.met(),
    )


async def run(infrastructure: Infrastructure) -> list[Row]:
    listener = CommandTimes()
    mongo = make_mongo_client(infrastructure.mongodb_url, event_listeners=[listener])
    rows = []
    try:
        if WARMUP_EVENTS:
            await warm_up(infrastructure, mongo, listener, WARMUP_EVENTS)
        large = await measure(infrastructure, mongo, listener, "batches as the service takes a backlog", EVENTS, None)
        print(report(large), flush=True)
        rows.append(
            row(
                large,
                f"projection: per-event budget (fetch, decode, digest, store, commit), whole vs sum of floors alone, {EVENTS:,} events",
            )
        )
        if SMALL_EVENTS:
            small = await measure(
                infrastructure, mongo, listener, f"batches of {SMALL_BATCH} (as at 500 events/s live)", SMALL_EVENTS, SMALL_BATCH
            )
            print(report(small), flush=True)
            rows.append(row(small, f"the same budget, batches of {SMALL_BATCH} events, {SMALL_EVENTS:,} events"))
    finally:
        await mongo.close()
    return rows


def main() -> list[Row]:
    with local_processes() as infrastructure, rare_collections(COLLECT_AFTER_OBJECTS):
        return asyncio.run(run(infrastructure))


if __name__ == "__main__":
    main()
