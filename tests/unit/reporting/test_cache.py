"""Concurrent requests for the same figures share one computation; old answers expire."""

from __future__ import annotations

import asyncio

import pytest

from reporting.cache import SharedFigures


async def test_concurrent_callers_share_one_computation():
    calls = 0

    async def compute():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return {"n": calls}

    cache = SharedFigures(max_age=60)
    results = await asyncio.gather(*(cache.get("k", compute) for _ in range(50)))
    assert calls == 1 and all(result == {"n": 1} for result in results)
    cache.clear()
    assert await cache.get("k", compute) == {"n": 2}


async def test_an_expired_answer_is_computed_again():
    values = iter(range(10))

    async def compute():
        return next(values)

    cache = SharedFigures(max_age=0)
    first = await cache.get("k", compute)
    await asyncio.sleep(0.001)
    assert await cache.get("k", compute) == first + 1


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
