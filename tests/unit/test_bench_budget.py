"""The per-event budget's bookkeeping (`bench/bench_budget.py`): which step a store command's time
goes to, and the verdict against the sum of the floors."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench.bench_budget import _IN_APPLY, STEPS, Budget, CommandTimes, StepTimes, report, row


def _command(listener: CommandTimes, request_id: int, name: str, command: dict, micros: int) -> None:
    listener.started(SimpleNamespace(command_name=name, command=command, request_id=request_id))  # type: ignore[arg-type]
    listener.succeeded(SimpleNamespace(request_id=request_id, duration_micros=micros))  # type: ignore[arg-type]


def test_commands_outside_the_apply_go_to_store_or_commit_and_those_inside_are_only_counted():
    listener, times = CommandTimes(), StepTimes()
    with listener.recording(times, attribute=True):
        _command(listener, 1, "find", {"find": "projection_offsets"}, 2_000)
        _command(listener, 2, "update", {"update": "projection_offsets", "updates": [{}, {}]}, 3_000)
        _command(listener, 3, "commitTransaction", {"commitTransaction": 1}, 4_000)
        marked = _IN_APPLY.set(True)
        try:
            _command(listener, 4, "insert", {"insert": "g1_members", "documents": [{}]}, 5_000)
        finally:
            _IN_APPLY.reset(marked)
    _command(listener, 5, "find", {"find": "g1_counters"}, 6_000)  # not recorded: no phase
    assert times.seconds["store"] == pytest.approx(0.002)
    assert times.seconds["commit"] == pytest.approx(0.007)
    assert times.round_trips == {
        "find projection_offsets": 1,
        "update projection_offsets": 1,
        "commitTransaction": 1,
        "insert g1_members": 1,
    }
    assert times.documents["update projection_offsets"] == 2 and times.documents["insert g1_members"] == 1
    assert times.store_round_trip_seconds() == pytest.approx(0.007)


def _budget(whole_seconds: float, floor_seconds: float) -> Budget:
    pipeline = StepTimes(events=1000, batches=4, wall=whole_seconds, cpu=whole_seconds / 2)
    alone = StepTimes(events=1000, batches=4)
    for step in STEPS:
        pipeline.add(step, whole_seconds / len(STEPS))
        alone.add(step, floor_seconds / len(STEPS))
    return Budget("test", 1000, 250, pipeline, alone, commit_after_writes=0.001, counters="3 counter documents")


def test_the_whole_is_judged_against_one_and_a_half_times_the_sum_of_the_floors():
    within, beyond = _budget(0.0298, 0.02), _budget(0.0302, 0.02)
    assert within.floors_us() == pytest.approx(20.0) and within.whole_us() == pytest.approx(29.8)
    assert within.met() and not beyond.met()
    assert row(within, "budget").measured == pytest.approx(29.8) and row(within, "budget").baseline == pytest.approx(20.0)
    assert "whole / sum of floors: 29.8 / 20.0 = 1.49 (goal ≤ 1.5): met" in report(within)
    assert "whole / sum of floors: 30.2 / 20.0 = 1.51 (goal ≤ 1.5): NOT met" in report(beyond)
    text = report(within)
    assert all(f"  {step} " in text for step in STEPS)
