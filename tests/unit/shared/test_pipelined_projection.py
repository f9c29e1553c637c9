"""The projection subscriber: a batch is applied in the background while the next is decoded,
and its Kafka offsets are committed only once it has been applied, one batch at a time and in
order; stopping waits for the batch in flight or abandons it uncommitted."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError
from pymongo.errors import AutoReconnect

from organising_shared.projections import PipelinedProjection, next_positions
from tests.records import Record


def _batch(name: str, *positions: tuple[str, int, int]) -> list[Record]:
    """Records of batch `name` at (topic, partition, offset)."""
    return [Record(topic, partition, offset, None, name.encode()) for topic, partition, offset in positions]


def _one(name: str, offset: int) -> list[Record]:
    return _batch(name, ("events", 0, offset))


def _reaching(offset: int) -> dict[TopicPartition, int]:
    """What is committed after `_one(..., offset)`: the next offset to read."""
    return {TopicPartition("events", 0): offset + 1}


class _Projector:
    """Logs what it does; the apply of a held batch waits until the batch is released."""

    def __init__(self, log: list) -> None:
        self.log = log
        self.gates: dict[str, asyncio.Event] = {}
        self.already_applied: set[str] = set()
        self.failures: dict[str, int] = {}
        self.running = 0

    def hold(self, name: str) -> None:
        self.gates[name] = asyncio.Event()

    def release(self, name: str) -> None:
        self.gates[name].set()

    async def prepare(self, records):
        name = records[0].value.decode()
        self.log.append(f"prepare {name}")
        return None if name in self.already_applied else name

    async def apply(self, batch):
        if batch is None:
            self.log.append("apply nothing")
            return 0
        self.running += 1
        self.log.append(f"apply {batch}")
        try:
            if batch in self.gates:
                await self.gates[batch].wait()
            if self.failures.get(batch, 0) > 0:
                self.failures[batch] -= 1
                self.log.append(f"failed {batch}")
                raise AutoReconnect(f"{batch} failed")  # the store away for a moment
            self.log.append(f"applied {batch}")
            return 1
        except asyncio.CancelledError:
            self.log.append(f"cancelled {batch}")
            raise
        finally:
            self.running -= 1


class _Commit:
    """The consumer's `commit`: logs the offsets it is given; raises the failures queued for it."""

    def __init__(self, log: list) -> None:
        self.log = log
        self.failures: list[Exception] = []

    async def __call__(self, offsets: dict[TopicPartition, int]) -> None:
        self.log.append(offsets)
        if self.failures:
            raise self.failures.pop(0)


def _commits(log: list) -> list[dict[TopicPartition, int]]:
    return [entry for entry in log if isinstance(entry, dict)]


async def _until_logged(log: list, entry) -> None:
    async with asyncio.timeout(5):
        while entry not in log:
            await asyncio.sleep(0)


async def _hand_over(projection: PipelinedProjection, records: list[Record], commit: _Commit) -> None:
    """Hand a batch to the handler, which returns without waiting for the batch to be applied."""
    async with asyncio.timeout(1):
        await projection.handle(records, commit)


async def _let_others_run(turns: int = 20) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


async def _b_waiting_behind_a_held(log: list, projector: _Projector, commit: _Commit, projection: PipelinedProjection) -> asyncio.Task:
    """Batch a is being applied and held; the handler of batch b has decoded it and waits for a."""
    projector.hold("a")
    await _hand_over(projection, _one("a", 0), commit)
    await _until_logged(log, "apply a")
    handling = asyncio.create_task(projection.handle(_one("b", 1), commit))
    await _until_logged(log, "prepare b")
    await _let_others_run()
    return handling


@pytest.fixture
def log() -> list:
    return []


@pytest.fixture
def projector(log: list) -> _Projector:
    return _Projector(log)


@pytest.fixture
def commit(log: list) -> _Commit:
    return _Commit(log)


@pytest.fixture
def projection(projector: _Projector) -> PipelinedProjection:
    return PipelinedProjection(projector, name="test")


async def test_the_handler_returns_while_its_batch_is_still_being_applied(log, projector, commit, projection):
    projector.hold("a")
    await _hand_over(projection, _one("a", 0), commit)
    await _until_logged(log, "apply a")
    await _let_others_run()
    assert log == ["prepare a", "apply a"] and projector.running == 1


async def test_the_next_batch_is_decoded_before_the_previous_apply_ends_but_applied_only_after_it(log, projector, commit, projection):
    handling = await _b_waiting_behind_a_held(log, projector, commit, projection)
    assert not handling.done() and log == ["prepare a", "apply a", "prepare b"]
    projector.release("a")
    await handling
    await projection.close()
    assert log == ["prepare a", "apply a", "prepare b", "applied a", _reaching(0), "apply b", "applied b", _reaching(1)]


async def test_a_batch_is_committed_one_past_its_highest_offset_in_each_partition_once_applied(log, projector, commit, projection):
    records = _batch("a", ("events", 0, 5), ("events", 1, 9), ("events", 0, 7), ("events", 1, 8), ("other", 0, 2))
    projector.hold("a")
    await _hand_over(projection, records, commit)
    await _until_logged(log, "apply a")
    await _let_others_run()
    assert _commits(log) == []
    projector.release("a")
    await projection.close()
    assert log[-2:] == ["applied a", {TopicPartition("events", 0): 8, TopicPartition("events", 1): 10, TopicPartition("other", 0): 3}]


def test_thenext_positions_are_one_past_the_highest_offset_of_each_partition():
    records = _batch("a", ("events", 2, 41), ("events", 2, 40), ("events", 0, 3), ("other", 2, 7))
    assert next_positions(records) == {TopicPartition("events", 2): 42, TopicPartition("events", 0): 4, TopicPartition("other", 2): 8}


async def test_every_batch_is_committed_once_and_in_order(log, commit, projection):
    for name, offset in [("a", 10), ("b", 20), ("c", 30)]:
        await projection.handle(_one(name, offset), commit)
    await projection.close()
    assert _commits(log) == [_reaching(10), _reaching(20), _reaching(30)]


async def test_a_batch_applied_before_still_has_its_offsets_committed(log, projector, commit, projection):
    projector.already_applied.add("b")
    for name, offset in [("a", 10), ("b", 20), ("c", 30)]:
        await projection.handle(_one(name, offset), commit)
    await projection.close()
    assert "apply nothing" in log
    assert _commits(log) == [_reaching(10), _reaching(20), _reaching(30)]


@pytest.mark.parametrize("failure", [CommitFailedError(), RuntimeError("the consumer is closed")])
async def test_a_commit_that_fails_is_logged_and_later_batches_are_still_applied_and_committed(log, commit, projection, caplog, failure):
    commit.failures.append(failure)
    await projection.handle(_one("a", 0), commit)
    await projection.handle(_one("b", 1), commit)
    await projection.close()
    assert _commits(log) == [_reaching(0), _reaching(1)]
    assert log[-2:] == ["applied b", _reaching(1)]
    assert any("could not commit" in record.getMessage() for record in caplog.records)


async def test_an_apply_that_fails_for_a_passing_reason_is_retried_and_then_committed(log, projector, commit, projection, caplog):
    projector.failures["a"] = 1
    await projection.handle(_one("a", 0), commit)
    await projection.close()  # the retry waits 0.2 s first
    assert log == ["prepare a", "apply a", "failed a", "apply a", "applied a", _reaching(0)]
    assert any("projection test failed" in record.getMessage() for record in caplog.records)


async def test_close_waits_for_the_batch_in_flight_to_be_applied_and_committed(log, projector, commit, projection):
    projector.hold("a")
    await _hand_over(projection, _one("a", 0), commit)
    closing = asyncio.create_task(projection.close())
    await _let_others_run()
    assert not closing.done() and _commits(log) == []
    projector.release("a")
    await closing
    assert log[-2:] == ["applied a", _reaching(0)]


async def test_after_close_a_batch_is_applied_and_committed_before_its_handler_returns(log, projector, commit, projection):
    await projection.close()
    projector.hold("a")
    handling = asyncio.create_task(projection.handle(_one("a", 0), commit))
    await _until_logged(log, "apply a")
    await _let_others_run()
    assert not handling.done()
    projector.release("a")
    await handling
    assert log[-2:] == ["applied a", _reaching(0)]


async def test_close_gives_up_on_an_apply_that_outlasts_its_timeout_and_stops_it(log, projector, commit, projection, caplog):
    projector.hold("a")  # never released
    await _hand_over(projection, _one("a", 0), commit)
    await _until_logged(log, "apply a")
    async with asyncio.timeout(2):
        await projection.close(timeout=0.05)
    assert "cancelled a" in log and projector.running == 0
    assert any("did not finish within" in record.getMessage() for record in caplog.records if record.levelname == "WARNING")
    await _let_others_run()
    assert _commits(log) == []


async def test_cancelling_a_handler_waiting_for_the_previous_batch_abandons_that_batch_uncommitted(log, projector, commit, projection):
    handling = await _b_waiting_behind_a_held(log, projector, commit, projection)
    handling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handling
    assert log == ["prepare a", "apply a", "prepare b", "cancelled a"] and projector.running == 0
    projector.release("a")
    await _let_others_run()
    assert _commits(log) == [] and "apply b" not in log


async def test_cancelling_a_handler_while_it_decodes_abandons_the_batch_in_flight_uncommitted(log, projector, commit, projection):
    projector.hold("a")
    await _hand_over(projection, _one("a", 0), commit)
    await _until_logged(log, "apply a")
    decoding = asyncio.Event()
    original_prepare = projector.prepare

    async def slow_prepare(records):
        await decoding.wait()  # never set: the handler is cancelled while decoding
        return await original_prepare(records)

    projector.prepare = slow_prepare
    handling = asyncio.create_task(projection.handle(_one("b", 1), commit))
    await _let_others_run()
    handling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handling
    assert "cancelled a" in log and projector.running == 0
    projector.release("a")
    await _let_others_run()
    assert _commits(log) == []
