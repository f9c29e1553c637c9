"""Pipelined batches: the next is decoded while the previous is applied, applies stay in order,
and a failure or a cancellation leaves no transaction running behind it."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import AutoReconnect

from reporting.projection.projector import apply_pipelined


class _Ledger:
    def __init__(self) -> None:
        self.committed_count = 0

    def discard(self) -> None:
        pass

    def committed(self) -> None:
        self.committed_count += 1


class _Projector:
    """Records what happens when; `apply` of a batch waits until it is let go."""

    def __init__(self, *, failing: str | None = None) -> None:
        self.log: list[str] = []
        self.release: dict[str, asyncio.Event] = {}
        self.failing = failing
        self.running = 0

    async def prepare(self, records, *, yield_every=None):
        self.log.append(f"prepare {records[0]}")
        return records[0]

    async def apply(self, name):
        self.running += 1
        try:
            self.log.append(f"apply {name}")
            await self.release.setdefault(name, asyncio.Event()).wait()
            if name == self.failing:
                raise AutoReconnect(f"{name} failed")
            self.log.append(f"applied {name}")
            return 1
        finally:
            self.running -= 1


async def _batches(*names: str):
    for name in names:
        yield [name]


async def _release_in_turn(projector: _Projector, names: list[str]) -> None:
    for name in names:
        while f"apply {name}" not in projector.log:
            await asyncio.sleep(0)
        projector.release.setdefault(name, asyncio.Event()).set()


async def test_the_next_batch_is_decoded_while_the_previous_one_is_applied_and_applies_keep_their_order():
    projector, ledger = _Projector(), _Ledger()
    releasing = asyncio.create_task(_release_in_turn(projector, ["a", "b", "c"]))
    applied = await apply_pipelined(projector, ledger, _batches("a", "b", "c"))
    await releasing
    assert applied == 3 and ledger.committed_count == 3
    assert projector.log.index("prepare b") < projector.log.index("applied a")
    assert [line for line in projector.log if line.startswith("applied")] == ["applied a", "applied b", "applied c"]


async def test_a_batch_failed_for_a_passing_reason_stops_the_ones_after_it():
    # The store went away: the rebuild stops, and a new run applies it all again (stored offsets).
    projector = _Projector(failing="b")
    releasing = asyncio.create_task(_release_in_turn(projector, ["a", "b"]))
    with pytest.raises(AutoReconnect, match="b failed"):
        await apply_pipelined(projector, _Ledger(), _batches("a", "b", "c"))
    await releasing
    assert "apply c" not in projector.log
    assert projector.running == 0


async def test_a_cancelled_pipeline_leaves_no_apply_running():
    projector = _Projector()
    pipeline = asyncio.create_task(apply_pipelined(projector, _Ledger(), _batches("a", "b")))
    while "apply a" not in projector.log:
        await asyncio.sleep(0)
    pipeline.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pipeline
    assert projector.running == 0


async def test_decoding_that_fails_abandons_the_apply_in_flight():
    projector = _Projector()

    async def batches():
        yield ["a"]
        while "apply a" not in projector.log:
            await asyncio.sleep(0)
        raise ValueError("the broker went away")

    with pytest.raises(ValueError, match="broker went away"):
        await apply_pipelined(projector, _Ledger(), batches())
    assert projector.running == 0 and "applied a" not in projector.log
