"""Working days and the statutory deadlines of a case's stages (docs/contract.md, "v1 additions").

UU 2/2004 on industrial relations disputes gives each stage a limit in working days: weekends
and Indonesian public holidays do not count. The holidays come from the maintained `holidays`
package (national holidays, including the Islamic and Chinese lunar ones it computes for each
year); the government's collective leave days (cuti bersama) are not public holidays and count
as working days.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Final

import holidays

from organising_shared.reference import CaseStage

# Working days per stage; labour inspection and a police report have no statutory limit.
STATUTORY_WORKING_DAYS: Final[dict[CaseStage, int]] = {
    CaseStage.BIPARTITE: 30,
    CaseStage.MEDIATION: 30,
    CaseStage.CONCILIATION: 30,
    CaseStage.ARBITRATION: 30,
    CaseStage.INDUSTRIAL_COURT: 50,
    CaseStage.SUPREME_COURT: 30,
}


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year))


def public_holiday_name(day: date, language: str = "id") -> str | None:
    """The holiday's name in Bahasa Indonesia (`id`) or English (`en_US`), or None."""
    if day not in _public_holidays(day.year):
        return None
    return holidays.country_holidays("ID", years=day.year, language=language).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start` (`start` itself never counts, whatever it is)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_until(today: date, deadline: date) -> int:
    """Working days after `today` up to and including `deadline`; negative once it has passed.

    0 means the deadline is today (or only non-working days are left before it); -N means N
    working days have passed since it, `deadline` itself not counted.
    """
    if deadline >= today:
        return sum(1 for offset in range(1, (deadline - today).days + 1) if is_working_day(today + timedelta(days=offset)))
    return -sum(1 for offset in range(1, (today - deadline).days + 1) if is_working_day(deadline + timedelta(days=offset)))


def stage_deadline(stage: CaseStage | str, entered_on: date) -> date | None:
    """The statutory deadline of a stage entered on `entered_on`, or None for a stage without one."""
    limit = STATUTORY_WORKING_DAYS.get(CaseStage(stage))
    return add_working_days(entered_on, limit) if limit is not None else None
