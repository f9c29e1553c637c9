"""A background loop that waits with a time limit still stops when cancelled.

With `asyncio.wait_for` on Python 3.11, a cancellation that arrives as the awaited event fires is
lost and the loop runs on (CPython gh-86296): a service's shutdown then hangs.
"""

from __future__ import annotations

import asyncio

import pytest

from organising_shared.waiting import stop_if_cancelled, wait_at_most


async def test_a_cancellation_arriving_as_the_wait_ends_stops_the_loop():
    woken = asyncio.Event()

    async def background_loop() -> None:
        while True:
            await wait_at_most(woken.wait(), 10)
            woken.clear()
            await asyncio.sleep(0.01)

    task = asyncio.create_task(background_loop())
    await asyncio.sleep(0.05)  # the loop is waiting now
    woken.set()
    task.cancel()  # in the same turn of the event loop as the wake-up
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await task


async def test_it_says_whether_the_wait_ended_or_ran_out():
    done = asyncio.Event()
    assert await wait_at_most(done.wait(), 0.01) is False
    done.set()
    assert await wait_at_most(done.wait(), 1) is True


async def test_a_loop_notices_a_cancellation_that_a_library_swallowed():
    turns = 0

    async def background_loop() -> None:
        nonlocal turns
        while True:
            stop_if_cancelled()
            turns += 1
            try:
                await asyncio.sleep(0.01)  # stands in for a driver call that catches the cancellation
            except asyncio.CancelledError:
                pass

    task = asyncio.create_task(background_loop())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await task
    assert turns > 0
