from datetime import UTC, date, datetime

import pytest

from organising_shared.periods import Period, jakarta_today, periods_containing


@pytest.mark.parametrize(
    ("code", "start", "end", "days"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), 365),
        ("2028", date(2028, 1, 1), date(2028, 12, 31), 366),
        ("2026-S1", date(2026, 1, 1), date(2026, 6, 30), 181),
        ("2026-S2", date(2026, 7, 1), date(2026, 12, 31), 184),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 90),
        ("2028-Q1", date(2028, 1, 1), date(2028, 3, 31), 91),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), 91),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 92),
    ],
)
def test_period_bounds(code, start, end, days):
    period = Period.parse(code)
    assert (period.start, period.end, period.days, str(period)) == (start, end, days, code)


@pytest.mark.parametrize("code", ["2026-S3", "2026-Q5", "2026-S0", "26-S1", "2026-s1", "2026-H1", "2026-", "", "1999", "2026-S1 "])
def test_bad_period_codes_are_refused_with_a_reason(code):
    with pytest.raises(ValueError, match="period"):
        Period.parse(code)


def test_elapsed_days_count_today_and_clamp_to_the_period():
    semester = Period.parse("2026-S1")
    assert semester.elapsed_days(date(2025, 12, 31)) == 0
    assert semester.elapsed_days(date(2026, 1, 1)) == 1
    assert semester.elapsed_days(date(2026, 3, 31)) == 90
    assert semester.elapsed_days(date(2026, 6, 30)) == 181
    assert semester.elapsed_days(date(2026, 12, 1)) == 181


def test_expected_to_date_rounds_down():
    semester = Period.parse("2026-S1")  # 181 days
    # 1000 × 90 ÷ 181 = 497.2… → 497
    assert semester.expected_to_date(1000, date(2026, 3, 31)) == 497
    assert semester.expected_to_date(1000, date(2026, 6, 30)) == 1000
    assert semester.expected_to_date(0, date(2026, 3, 31)) == 0


def test_today_is_the_jakarta_date_not_the_utc_one():
    # 20:00 UTC on 30 June is already 1 July in Jakarta (UTC+7).
    assert jakarta_today(datetime(2026, 6, 30, 20, 0, tzinfo=UTC)) == date(2026, 7, 1)
    assert jakarta_today(datetime(2026, 6, 30, 16, 59, tzinfo=UTC)) == date(2026, 6, 30)


def test_periods_containing_a_day():
    assert [str(p) for p in periods_containing(date(2026, 8, 17))] == ["2026", "2026-S2", "2026-Q3"]
    assert all(p.contains(date(2026, 8, 17)) for p in periods_containing(date(2026, 8, 17)))
