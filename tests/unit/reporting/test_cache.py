"""Concurrent requests for the same figures share one computation; a stale answer is served while
one recomputation runs; a change signal or `clear()` ends an answer's freshness."""

from __future__ import annotations

import asyncio

import pytest

from reporting.api.cache import SharedFigures


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A computation that returns how many times it ran, optionally held until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self) -> int:
        self.calls += 1
        number = self.calls
        await self.release.wait()
        return number


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_callers_share_one_computation():
    compute = Counting()
    compute.release.clear()
    cache = SharedFigures(max_age=60)
    waiting = [asyncio.ensure_future(cache.get("k", compute)) for _ in range(50)]
    await settle()
    compute.release.set()
    assert await asyncio.gather(*waiting) == [1] * 50
    assert compute.calls == 1
    cache.clear()
    assert await cache.get("k", compute) == 2


async def test_a_fresh_answer_is_served_without_computing():
    clock, compute = Clock(), Counting()
    cache = SharedFigures(max_age=0.5, clock=clock)
    assert await cache.get("k", compute) == 1
    clock.now += 0.4
    assert await cache.get("k", compute) == 1
    assert compute.calls == 1


async def test_an_expired_answer_is_served_while_one_recomputation_runs():
    clock, compute = Clock(), Counting()
    cache = SharedFigures(max_age=0.5, serve_stale_for=2.0, clock=clock)
    assert await cache.get("k", compute) == 1
    clock.now += 0.6
    compute.release.clear()
    # Nobody waits for the store: the old answer comes back at once, twice, with one recomputation started.
    assert await cache.get("k", compute) == 1
    await settle()
    assert await cache.get("k", compute) == 1
    assert compute.calls == 2
    compute.release.set()
    await settle()
    assert await cache.get("k", compute) == 2
    assert compute.calls == 2


async def test_a_change_signal_makes_the_next_request_recompute():
    clock, compute = Clock(), Counting()
    cache = SharedFigures(max_age=60, serve_stale_for=60, clock=clock)
    assert await cache.get("k", compute) == 1
    cache.changed()
    assert await cache.get("k", compute) == 1  # the previous answer, while the new one is computed
    await settle()
    assert await cache.get("k", compute) == 2


async def test_a_change_recomputes_the_answers_being_read_without_waiting_for_a_request():
    clock, compute, unread = Clock(), Counting(), Counting()
    cache = SharedFigures(max_age=60, serve_stale_for=2.0, clock=clock)
    assert await cache.get("old", unread) == 1
    clock.now += 3  # nobody has asked for "old" since
    assert await cache.get("k", compute) == 1
    cache.changed()
    cache.changed()  # signals of one turn of the loop start one recomputation
    await settle()
    assert (compute.calls, unread.calls) == (2, 1)
    assert await cache.get("k", compute) == 2  # ready before the request came


async def test_a_change_during_a_computation_is_not_lost():
    clock, compute = Clock(), Counting()
    cache = SharedFigures(max_age=60, serve_stale_for=60, clock=clock)
    assert await cache.get("k", compute) == 1
    cache.changed()
    compute.release.clear()
    assert await cache.get("k", compute) == 1  # starts computation 2
    cache.changed()  # lands while computation 2 reads the store: its answer may miss it
    compute.release.set()
    await settle()
    assert await cache.get("k", compute) == 2  # served, but known to be stale: computation 3 starts
    await settle()
    assert await cache.get("k", compute) == 3


async def test_a_too_old_answer_is_not_served():
    clock, compute = Clock(), Counting()
    cache = SharedFigures(max_age=0.5, serve_stale_for=2.0, clock=clock)
    assert await cache.get("k", compute) == 1
    clock.now += 2.5
    assert await cache.get("k", compute) == 2


async def test_clear_is_seen_by_the_very_next_request_and_drops_a_computation_in_flight():
    clock, compute = Clock(), Counting()
    cache = SharedFigures(max_age=60, serve_stale_for=60, clock=clock)
    assert await cache.get("k", compute) == 1
    cache.changed()
    compute.release.clear()
    assert await cache.get("k", compute) == 1  # computation 2 starts (it read the store before the write below)
    cache.clear()  # a PUT wrote through
    waiting = asyncio.ensure_future(cache.get("k", compute))  # must not get answer 1 nor 2
    await settle()
    compute.release.set()
    assert await waiting == 3
    await settle()
    assert await cache.get("k", compute) == 3


async def test_a_failure_is_not_cached():
    attempts = 0

    async def flaky():
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("store away")
        return "ok"

    cache = SharedFigures(max_age=60)
    with pytest.raises(RuntimeError):
        await cache.get("k", flaky)
    assert await cache.get("k", flaky) == "ok"


async def test_a_failed_background_recomputation_keeps_the_last_answer():
    clock = Clock()
    answers = iter(["first", RuntimeError("store away"), "third"])

    async def compute():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = SharedFigures(max_age=0.5, serve_stale_for=5, clock=clock)
    assert await cache.get("k", compute) == "first"
    clock.now += 1
    assert await cache.get("k", compute) == "first"  # the recomputation fails in the background
    await settle()
    assert await cache.get("k", compute) == "first"  # still stale: tried again
    await settle()
    assert await cache.get("k", compute) == "third"
