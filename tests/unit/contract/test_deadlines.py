"""Statutory deadlines in working days (docs/contract.md, "v1 additions"), around weekends and holidays."""

from datetime import date

import pytest

from organising_shared.deadlines import add_working_days, is_working_day, public_holiday_name, stage_deadline, working_days_until


def test_weekends_and_public_holidays_are_not_working_days():
    assert is_working_day(date(2026, 3, 16))  # a Monday
    assert not is_working_day(date(2026, 3, 14))  # Saturday
    assert not is_working_day(date(2026, 3, 15))  # Sunday
    assert not is_working_day(date(2026, 8, 17))  # Independence Day, a Monday
    assert not is_working_day(date(2026, 5, 1))  # Labour Day, a Friday
    assert public_holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert public_holiday_name(date(2026, 8, 18)) is None


def test_the_start_day_never_counts_whatever_kind_of_day_it_is():
    # Entered on a Friday: the 1st working day is the Monday after.
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)
    # Entered on a Saturday (not a working day) or on a holiday: still the next working day.
    assert add_working_days(date(2026, 3, 14), 1) == date(2026, 3, 16)
    assert add_working_days(date(2026, 8, 17), 1) == date(2026, 8, 18)


def test_a_deadline_steps_over_a_holiday_inside_it():
    # 14–18 Aug 2026: Mon 17 is Independence Day. From Thu 13 Aug, 3 working days: Fri 14, Tue 18, Wed 19.
    assert add_working_days(date(2026, 8, 13), 3) == date(2026, 8, 19)


@pytest.mark.parametrize(
    ("stage", "entered", "deadline"),
    [
        # 30 working days from Mon 2 Feb 2026: February has Lunar New Year (Tue 17 Feb).
        ("bipartite", date(2026, 2, 2), date(2026, 3, 17)),
        ("mediation", date(2026, 2, 2), date(2026, 3, 17)),
        # 50 working days for the industrial court, from Wed 1 Jul 2026 (17 Aug and 25 Aug are holidays).
        ("industrial_court", date(2026, 7, 1), date(2026, 9, 11)),
        ("supreme_court", date(2026, 7, 1), date(2026, 8, 12)),
        ("labour_inspection", date(2026, 7, 1), None),
        ("police_report", date(2026, 7, 1), None),
    ],
)
def test_statutory_deadline_of_each_stage(stage, entered, deadline):
    assert stage_deadline(stage, entered) == deadline


def test_working_days_until_a_deadline_counts_down_and_then_past_it():
    friday = date(2026, 3, 20)
    assert working_days_until(date(2026, 3, 16), friday) == 3  # Tue, Wed (Thu 19 is Nyepi), Fri
    assert working_days_until(friday, friday) == 0
    assert working_days_until(date(2026, 3, 22), friday) == 0  # only the weekend has passed
    assert working_days_until(date(2026, 3, 23), friday) == -1
