"""watch_store: what the live figures do when the store's change stream fails or does not exist.

The database here is a stand-in whose `watch` fails the way PyMongo does; the happy path (a real
change stream on the real store) is covered by tests/integration/reporting/test_live_stream.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from pymongo.errors import AutoReconnect, OperationFailure

from reporting.api.live import watch_store


class CountingFigures:
    def __init__(self) -> None:
        self.calls = 0

    def changed(self) -> None:
        self.calls += 1


class OneChangeStream:
    def __init__(self, changes: int) -> None:
        self.changes = changes
        self.alive = True

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False

    async def try_next(self):
        if self.changes == 0:
            raise AutoReconnect("connection closed")  # the stream dies after its changes
        self.changes -= 1
        return {"operationType": "update"}


class StoreWithoutChangeStreams:
    def __init__(self) -> None:
        self.attempts = 0

    async def watch(self, **_: object):
        self.attempts += 1
        raise OperationFailure("The $changeStream stage is only supported on replica sets", code=40573)


class FlakyStore:
    def __init__(self) -> None:
        self.opened = 0

    async def watch(self, **_: object):
        self.opened += 1
        return OneChangeStream(changes=2)


async def run_until(condition, task: asyncio.Task, timeout: float = 5.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_without_change_streams_the_figures_are_recomputed_on_an_interval():
    figures, store = CountingFigures(), StoreWithoutChangeStreams()
    task = asyncio.create_task(watch_store(store, figures, poll_interval=0.02))
    await run_until(lambda: figures.calls >= 5, task)
    assert store.attempts == 1, "a store without change streams is not asked again and again"


async def test_a_broken_change_stream_is_reopened_and_each_opening_counts_as_a_change():
    figures, store = CountingFigures(), FlakyStore()
    task = asyncio.create_task(watch_store(store, figures, retry_delay=0.01))
    await run_until(lambda: store.opened >= 3, task)
    # Per opening: one for what may have been missed while closed, then one per change.
    assert figures.calls >= 2 * 3


class InvalidatedStream(OneChangeStream):
    """What PyMongo gives once the database is dropped: no longer alive, `try_next` None at once."""

    def __init__(self) -> None:
        super().__init__(changes=0)
        self.alive = False
        self.polled = 0

    async def try_next(self):
        self.polled += 1
        return None


class DroppedStore:
    def __init__(self) -> None:
        self.streams: list[InvalidatedStream] = []

    async def watch(self, **_: object):
        self.streams.append(InvalidatedStream())
        return self.streams[-1]


async def test_an_invalidated_stream_is_reopened_with_a_growing_delay_never_spun_on():
    figures, store = CountingFigures(), DroppedStore()
    started = time.monotonic()
    task = asyncio.create_task(watch_store(store, figures, retry_delay=0.02, max_retry_delay=0.08))
    await run_until(lambda: len(store.streams) >= 4, task)
    assert all(stream.polled == 0 for stream in store.streams), "a dead stream is not polled"
    # 0.02 + 0.04 + 0.08 s passed before the fourth opening: the delay doubled each time.
    assert time.monotonic() - started >= 0.14
