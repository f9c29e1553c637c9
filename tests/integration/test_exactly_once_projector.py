"""The exactly-once projector against a real store: what `digest` made of a batch when it was
prepared is applied only if none of the batch has been applied since; otherwise the part still
to apply is digested again."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from organising_shared.mongo import make_mongo_client
from organising_shared.projections import ExactlyOnceProjector
from tests.examples import member_recruited
from tests.records import Record

pytestmark = pytest.mark.integration


class _Recorder:
    """A projection whose digest is the batch's event ids, and whose apply remembers what it got."""

    def __init__(self) -> None:
        self.digested: list[list[str]] = []
        self.applied: list[list[str]] = []
        self.threads: list[str] = []

    def digest(self, delivered) -> list[str]:
        ids = [str(item.event.event_id) for item in delivered]
        self.digested.append(ids)
        self.threads.append(threading.current_thread().name)
        return ids

    async def apply(self, digested: list[str], session) -> None:
        self.applied.append(digested)


class _NoDeadLetters:
    async def publish(self, *args, **kwargs) -> None:
        raise AssertionError("every record here is valid")


@pytest.fixture
async def database(infrastructure, namespace):
    mongo = make_mongo_client(infrastructure.mongodb_url)
    yield mongo[f"{namespace}_projector"]
    await mongo.close()


def _projector(database, settings, recorder: _Recorder) -> ExactlyOnceProjector:
    return ExactlyOnceProjector(
        database=database,
        name="digest-test",
        apply=recorder.apply,
        digest=recorder.digest,
        topics=settings.topics,
        federations=None,
        dead_letters=_NoDeadLetters(),
    )


def _records(settings, count: int) -> tuple[list[Record], list[str]]:
    events = [member_recruited() for _ in range(count)]
    topic = settings.topics.membership
    return [Record(topic, 0, offset, None, json.dumps(event).encode()) for offset, event in enumerate(events)], [
        e["event_id"] for e in events
    ]


async def test_the_digest_made_when_the_batch_was_prepared_is_the_one_applied(database, isolated_settings):
    recorder = _Recorder()
    projector = _projector(database, isolated_settings, recorder)
    records, ids = _records(isolated_settings, 3)

    prepared = await projector.prepare(records)
    assert await projector.apply(prepared) == 3

    assert recorder.digested == [ids]  # digested once, ahead of the transaction
    assert recorder.applied == [ids]


async def test_a_batch_partly_applied_since_it_was_prepared_has_only_the_rest_digested_and_applied(database, isolated_settings):
    # Two instances of one consumer group after a rebalance: both prepared overlapping records,
    # and the other one committed first.
    mine, theirs = _Recorder(), _Recorder()
    records, ids = _records(isolated_settings, 3)
    prepared = await _projector(database, isolated_settings, mine).prepare(records)

    other = _projector(database, isolated_settings, theirs)
    await other.apply(await other.prepare(records[:2]))

    await _projector(database, isolated_settings, mine).apply(prepared)
    assert theirs.applied == [ids[:2]]
    assert mine.applied == [ids[2:]]  # not the stale digest of all three
    assert mine.digested == [ids, ids[2:]]


async def test_a_batch_larger_than_the_yield_step_is_digested_off_the_event_loop(database, isolated_settings):
    recorder = _Recorder()
    projector = _projector(database, isolated_settings, recorder)
    records, ids = _records(isolated_settings, 12)
    loop_thread = threading.current_thread().name

    small = await projector.prepare(records[:5], yield_every=10)
    large = await projector.prepare(records, yield_every=10)
    unbounded = await projector.prepare(records)
    assert recorder.digested == [ids[:5], ids, ids]
    # Small batches (and callers that do not ask to yield) keep the digest on the loop: a thread
    # hop would only add latency; a large one leaves the loop free for the API meanwhile.
    assert recorder.threads[0] == loop_thread and recorder.threads[2] == loop_thread
    assert recorder.threads[1] != loop_thread
    assert small is not None and large is not None and unbounded is not None
    assert await projector.apply(large) == 12 and recorder.applied == [ids]


async def test_the_event_loop_answers_while_a_large_batch_is_digested(database, isolated_settings):
    slow = _Recorder()
    original = slow.digest
    digesting: list[float] = []  # when the digest started and ended

    def slow_digest(delivered):
        digesting.append(time.perf_counter())
        busy_until = digesting[0] + 0.3  # a digest that holds the interpreter for 300 ms
        while time.perf_counter() < busy_until:
            pass
        digesting.append(time.perf_counter())
        return original(delivered)

    slow.digest = slow_digest  # type: ignore[method-assign]
    projector = _projector(database, isolated_settings, slow)
    records, _ = _records(isolated_settings, 12)
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(tick())
    try:
        await projector.prepare(records, yield_every=10)
    finally:
        ticker.cancel()
    # On the loop the digest would let no tick run until it returned; off it, the loop goes on.
    started, ended = digesting
    during = [at for at in ticks if started < at < ended]
    assert len(during) >= 3, f"the event loop ran {len(during)} times during a 300 ms digest"
