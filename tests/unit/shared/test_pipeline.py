"""One apply in the background at a time: `submit` hands back the previous apply's result or its
failure, applies run in order and never overlap, and a cancelled caller leaves the apply running
for `abandon` to stop and wait for."""

from __future__ import annotations

import asyncio
import gc

import pytest

from organising_shared.projections.pipeline import ApplyPipeline


class _Log:
    """What the applies did, and how many of them ran at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.running = 0
        self.most_at_once = 0


class _Apply:
    """An apply that records when it runs and waits until it is let go; stopping takes a few turns."""

    def __init__(self, name: str, log: _Log, *, result: int = 1, error: Exception | None = None) -> None:
        self.name = name
        self.log = log
        self.result = result
        self.error = error
        self.release = asyncio.Event()
        self.stopped = False

    async def __call__(self) -> int:
        self.log.running += 1
        self.log.most_at_once = max(self.log.most_at_once, self.log.running)
        self.log.lines.append(f"apply {self.name}")
        try:
            await self.release.wait()
            if self.error is not None:
                raise self.error
            self.log.lines.append(f"applied {self.name}")
            return self.result
        except asyncio.CancelledError:
            self.log.lines.append(f"cancelled {self.name}")
            raise
        finally:
            for _ in range(3):  # cleaning up takes a while: whoever waits for it must really wait
                await asyncio.sleep(0)
            self.stopped = True
            self.log.running -= 1


async def _until(condition, seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0)


async def _until_logged(log: _Log, line: str) -> None:
    await _until(lambda: line in log.lines)


async def _let_others_run(turns: int = 20) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


async def _draining_a_held_apply(log: _Log) -> tuple[ApplyPipeline, _Apply, asyncio.Task]:
    """A pipeline whose apply `a` is held, and a task draining it."""
    pipeline, a = ApplyPipeline(), _Apply("a", log)
    await pipeline.submit(a)
    draining = asyncio.create_task(pipeline.drain())
    await _let_others_run()
    return pipeline, a, draining


async def test_submit_starts_the_apply_in_the_background_and_returns_0_when_nothing_came_before():
    log = _Log()
    pipeline, a = ApplyPipeline(), _Apply("a", log)
    async with asyncio.timeout(1):  # returns although `a` is held
        assert await pipeline.submit(a) == 0
    await _until_logged(log, "apply a")
    assert pipeline.busy and not a.stopped
    a.release.set()
    await _until(lambda: a.stopped)
    assert log.lines == ["apply a", "applied a"]


async def test_the_next_submit_waits_for_the_apply_in_flight_and_returns_its_result():
    log = _Log()
    pipeline, a, b = ApplyPipeline(), _Apply("a", log, result=3), _Apply("b", log, result=5)
    await pipeline.submit(a)
    submitting = asyncio.create_task(pipeline.submit(b))
    await _let_others_run()
    assert not submitting.done() and "apply b" not in log.lines
    a.release.set()
    assert await submitting == 3
    await _until_logged(log, "apply b")
    assert log.lines == ["apply a", "applied a", "apply b"]
    b.release.set()
    assert await pipeline.drain() == 5


async def test_applies_run_one_at_a_time_in_the_order_submitted():
    log = _Log()
    pipeline = ApplyPipeline()
    applies = [_Apply(name, log) for name in "abcd"]

    async def release_in_turn() -> None:
        for apply in applies:
            await _until_logged(log, f"apply {apply.name}")
            await _let_others_run(5)
            apply.release.set()

    releasing = asyncio.create_task(release_in_turn())
    for apply in applies:
        await pipeline.submit(apply)
    await pipeline.drain()
    await releasing
    assert log.lines == ["apply a", "applied a", "apply b", "applied b", "apply c", "applied c", "apply d", "applied d"]
    assert log.most_at_once == 1


async def test_a_failed_apply_is_raised_by_the_next_submit_which_then_starts_nothing():
    log = _Log()
    pipeline, a, b = ApplyPipeline(), _Apply("a", log, error=RuntimeError("a failed")), _Apply("b", log)
    await pipeline.submit(a)
    a.release.set()
    with pytest.raises(RuntimeError, match="a failed"):
        await pipeline.submit(b)
    await _let_others_run()
    assert "apply b" not in log.lines and not pipeline.busy
    assert await pipeline.drain() == 0  # the failure was handed over once; the pipeline is idle again


async def test_a_failed_apply_is_raised_by_drain():
    pipeline, a = ApplyPipeline(), _Apply("a", _Log(), error=RuntimeError("a failed"))
    await pipeline.submit(a)
    a.release.set()
    with pytest.raises(RuntimeError, match="a failed"):
        await pipeline.drain()


async def test_drain_returns_0_when_nothing_is_in_flight():
    assert await ApplyPipeline().drain() == 0


async def test_drain_waits_for_the_apply_in_flight_and_returns_its_result():
    pipeline, a = ApplyPipeline(), _Apply("a", _Log(), result=7)
    await pipeline.submit(a)
    draining = asyncio.create_task(pipeline.drain())
    await _let_others_run()
    assert not draining.done()
    a.release.set()
    assert await draining == 7
    assert await pipeline.drain() == 0


async def test_two_drains_of_the_same_apply_both_get_its_result():
    pipeline, a = ApplyPipeline(), _Apply("a", _Log(), result=7)
    await pipeline.submit(a)
    first, second = asyncio.create_task(pipeline.drain()), asyncio.create_task(pipeline.drain())
    await _let_others_run()
    a.release.set()
    assert await asyncio.gather(first, second) == [7, 7]
    assert not pipeline.busy


async def test_a_caller_cancelled_in_drain_leaves_the_apply_running_until_abandon_stops_it():
    log = _Log()
    pipeline, a, draining = await _draining_a_held_apply(log)
    draining.cancel()
    with pytest.raises(asyncio.CancelledError):
        await draining
    await _let_others_run()
    assert pipeline.busy and not a.stopped and "cancelled a" not in log.lines
    await pipeline.abandon()
    assert a.stopped and "cancelled a" in log.lines  # its `finally:` has run by the time abandon returns
    assert not pipeline.busy and log.running == 0


async def test_a_caller_cancelled_in_submit_leaves_the_apply_running_until_abandon_stops_it():
    log = _Log()
    pipeline, a, b = ApplyPipeline(), _Apply("a", log), _Apply("b", log)
    await pipeline.submit(a)
    submitting = asyncio.create_task(pipeline.submit(b))
    await _let_others_run()
    submitting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await submitting
    await _let_others_run()
    assert pipeline.busy and not a.stopped
    await pipeline.abandon()
    assert a.stopped and log.lines == ["apply a", "cancelled a"]
    assert not pipeline.busy and log.running == 0


async def test_abandoning_a_failed_apply_raises_nothing_and_leaves_no_unretrieved_exception():
    reported: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context))
    pipeline, a = ApplyPipeline(), _Apply("a", _Log(), error=RuntimeError("a failed"))
    await pipeline.submit(a)
    a.release.set()
    await _until(lambda: not pipeline.busy)
    await pipeline.abandon()
    gc.collect()  # a task whose exception nobody looked at reports it when it is collected
    assert reported == []
    assert await pipeline.drain() == 0


async def test_abandon_does_nothing_when_idle():
    pipeline = ApplyPipeline()
    await pipeline.abandon()
    assert not pipeline.busy and await pipeline.drain() == 0


async def test_busy_says_whether_an_apply_is_running():
    pipeline, a = ApplyPipeline(), _Apply("a", _Log())
    assert not pipeline.busy
    await pipeline.submit(a)
    assert pipeline.busy
    a.release.set()
    await _until(lambda: a.stopped)
    await _let_others_run()
    assert not pipeline.busy  # finished, even before anyone drained it
    await pipeline.drain()
    assert not pipeline.busy


async def test_a_drain_waiting_on_an_apply_that_another_caller_abandons_returns_0():
    log = _Log()
    pipeline, _a, draining = await _draining_a_held_apply(log)
    await pipeline.abandon()
    assert await draining == 0  # the abandoned batch applied nothing; the waiting caller was not cancelled
    assert log.lines == ["apply a", "cancelled a"] and not pipeline.busy
