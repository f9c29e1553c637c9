"""LiveFigures: the fan-out behind the live stream, with a counting stand-in for the figures.

The stand-in is the only fake here: it returns whatever `figures["value"]` holds, like a store
whose projections the test changes.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from reporting.api.live import LiveFigures, View

VIEW = View(period="2026-S1", federation=None, suppress_small=True)


class FakeFigures:
    def __init__(self) -> None:
        self.value = 0
        self.computations = 0

    async def __call__(self, view: View) -> dict:
        self.computations += 1
        return {"period": view.period, "as_of": f"t{self.computations}", "value": self.value}


@pytest.fixture
async def running():
    figures = FakeFigures()
    live = LiveFigures(figures, settle=0.05, min_interval=0.1, refresh_every=3600)
    task = asyncio.create_task(live.run())
    yield live, figures
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def next_within(next_snapshot, timeout: float = 2.0) -> dict:
    return await asyncio.wait_for(next_snapshot(), timeout)


async def test_a_subscriber_gets_the_current_figures_then_each_change(running):
    live, figures = running
    async with live.subscribe(VIEW) as next_snapshot:
        assert (await next_within(next_snapshot))["value"] == 0
        figures.value = 7
        live.changed()
        assert (await next_within(next_snapshot))["value"] == 7


async def test_a_burst_of_changes_is_one_recomputation(running):
    live, figures = running
    async with live.subscribe(VIEW) as next_snapshot:
        await next_within(next_snapshot)
        before = figures.computations
        figures.value = 3
        for _ in range(50):
            live.changed()
        assert (await next_within(next_snapshot))["value"] == 3
        assert figures.computations - before == 1


async def test_a_change_that_leaves_the_figures_alone_sends_nothing(running):
    live, figures = running
    async with live.subscribe(VIEW) as next_snapshot:
        await next_within(next_snapshot)
        live.changed()  # only as_of differs in the recomputation
        await asyncio.sleep(0)  # let run() start its settle wait
        figures.value = 1
        live.changed()
        # The first thing to arrive is the real change, not a copy of the old figures.
        assert (await next_within(next_snapshot))["value"] == 1


async def test_a_slow_subscriber_skips_to_the_newest_figures(running):
    live, figures = running
    async with live.subscribe(VIEW) as next_snapshot:
        await next_within(next_snapshot)
        for value in (1, 2, 3):
            figures.value = value
            await live.refresh()
        assert (await next_within(next_snapshot))["value"] == 3


async def test_every_subscriber_of_a_view_is_told_and_views_are_dropped_when_nobody_watches(running):
    live, figures = running
    other_view = View(period="2026-S2", federation="FSPMI", suppress_small=False)
    async with live.subscribe(VIEW) as first, live.subscribe(VIEW) as second, live.subscribe(other_view) as third:
        for next_snapshot in (first, second, third):
            await next_within(next_snapshot)
        figures.value = 5
        live.changed()
        received = [await next_within(n) for n in (first, second, third)]
        assert [(snapshot["period"], snapshot["value"]) for snapshot in received] == [("2026-S1", 5), ("2026-S1", 5), ("2026-S2", 5)]
    before = figures.computations
    await live.refresh()
    assert figures.computations == before, "a view without subscribers is not recomputed"


async def test_a_failing_computation_keeps_the_stream_alive(running):
    live, figures = running
    async with live.subscribe(VIEW) as next_snapshot:
        await next_within(next_snapshot)
        original = live._compute

        async def broken(view):
            raise ConnectionError("store away")

        live._compute = broken
        await live.refresh()
        live._compute = original
        figures.value = 9
        live.changed()
        assert (await next_within(next_snapshot))["value"] == 9
