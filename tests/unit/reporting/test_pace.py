"""The pace chart's figures as pure functions: the per-day counters the counting rules write, the
cumulative line, and the contract's expected line on every day."""

from __future__ import annotations

from datetime import date

from organising_shared.periods import Period
from reporting.read_model import counting
from reporting.read_model.counting import MemberEntry, case_contribution, unit_contribution
from reporting.read_model.pace import cumulative, expected_line, metric_days

S1 = Period.parse("2026-S1")


def recruited(event_id: str, day: str) -> MemberEntry:
    return MemberEntry(
        day=day, at="2026-01-01T00:00:00.000000+00:00", event_id=event_id, kind="recruited", sector="metal", region_code="32.16"
    )


def left(event_id: str, day: str) -> MemberEntry:
    return MemberEntry(day=day, at="2026-01-01T00:00:00.000000+00:00", event_id=event_id, kind="left", sector="metal", region_code="32.16")


def daily(contribution, period: str, metric: str) -> dict[str, int]:
    prefix = f"daily.{metric}."
    return {
        field[len(prefix) :]: amount
        for (doc, field), amount in contribution.items()
        if doc == f"{period}|metal|FSPMI" and field.startswith(prefix) and amount
    }


def test_a_recruitment_counts_on_its_own_day_in_each_period_holding_it_and_only_when_it_counts():
    history = [recruited("a", "2026-03-01"), recruited("b", "2026-03-05"), left("c", "2026-04-01"), recruited("d", "2026-07-10")]
    contribution = counting.member_contribution("FSPMI", history)
    assert daily(contribution, "2026-S1", "members_recruited") == {"2026-03-01": 1}  # still active on 5 March
    assert daily(contribution, "2026-Q1", "members_recruited") == {"2026-03-01": 1}
    assert daily(contribution, "2026", "members_recruited") == {"2026-03-01": 1, "2026-07-10": 1}
    assert daily(contribution, "2026-S2", "members_recruited") == {"2026-07-10": 1}


def test_a_unit_counts_on_its_earliest_founding_day_and_a_case_on_its_first_resolving_closure():
    unit = {
        "e2": {"day": "2026-02-21", "at": "b", "sector": "metal", "federation": "FSPMI", "region_code": "32.16", "founding_members": 20}
    }
    unit["e1"] = {**unit["e2"], "day": "2026-02-20"}
    assert daily(unit_contribution(unit), "2026-S1", "union_units_established") == {"2026-02-20": 1}
    report = {
        "day": "2026-01-05",
        "at": "a",
        "sector": "metal",
        "federation": "FSPMI",
        "region_code": "32.16",
        "category": "overtime",
        "workers_affected": 3,
    }
    closes = {"x": {"day": "2026-04-30", "at": "a", "outcome": "won"}, "y": {"day": "2026-06-01", "at": "a", "outcome": "settled"}}
    assert daily(case_contribution({"reports": {"r": report}, "closes": closes}), "2026-S1", "cases_resolved") == {"2026-04-30": 1}
    lost = {"x": {"day": "2026-04-30", "at": "a", "outcome": "lost"}}
    assert daily(case_contribution({"reports": {"r": report}, "closes": lost}), "2026-S1", "cases_resolved") == {}


def test_the_cumulative_line_runs_to_today_and_no_further():
    per_day = {"2026-01-01": 2, "2026-01-03": 1, "2026-01-05": 4}
    assert cumulative(S1, per_day, date(2026, 1, 4)) == [2, 2, 3, 3]
    assert len(cumulative(S1, per_day, date(2026, 8, 1))) == S1.days
    assert cumulative(S1, per_day, date(2025, 12, 31)) == []


def test_the_expected_line_is_expected_to_date_on_each_day():
    line = expected_line(S1, 10)
    assert len(line) == S1.days == 181
    assert line[0] == 0 and line[18] == 1 and line[-1] == 10  # 10 × 19 ÷ 181 rounded down is the first 1
    assert line == [S1.expected_to_date(10, day) for day in (date.fromordinal(S1.start.toordinal() + offset) for offset in range(181))]


def test_each_day_has_its_actual_until_today_and_its_expected_only_with_a_target():
    days = metric_days(S1, 181, {"2026-01-02": 5}, date(2026, 1, 2))
    assert days[:3] == [
        {"day": "2026-01-01", "actual": 0, "expected": 1},
        {"day": "2026-01-02", "actual": 5, "expected": 2},
        {"day": "2026-01-03", "actual": None, "expected": 3},
    ]
    assert all(day["expected"] is None for day in metric_days(S1, None, {}, date(2026, 1, 2)))
