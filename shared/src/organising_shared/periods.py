"""Reporting periods: a year (`2026`), a semester (`2026-S1`) or a quarter (`2026-Q3`).

Days are counted in Asia/Jakarta: a period's first and last day are inclusive calendar dates
there, so "today" for progress is the Jakarta date, not the server's.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
# [0-9], not \d: \d matches every script's digits, and int() reads them ("٢٠٢٦" would pass).
PERIOD_PATTERN = r"^[0-9]{4}(-S[12]|-Q[1-4])?$"
_PERIOD_RE = re.compile(r"^([0-9]{4})(?:-(S|Q)([1-4]))?$", re.ASCII)


def jakarta_today(now: datetime | None = None) -> date:
    if now is not None:
        return now.astimezone(JAKARTA).date()
    return _TODAY.get()


class _JakartaDay:
    """Today's Jakarta date, worked out again only after the next Jakarta midnight.

    Every event's dates are checked against it; `datetime.now(JAKARTA)` costs ~14 µs, a fifth
    of decoding an event.
    """

    def __init__(self) -> None:
        self._until = 0.0
        self._day = date.min

    def get(self) -> date:
        stamp = time.time()
        if stamp >= self._until:
            self._day = datetime.fromtimestamp(stamp, JAKARTA).date()
            self._until = datetime.combine(self._day + timedelta(days=1), clock_time.min, JAKARTA).timestamp()
        return self._day


_TODAY = _JakartaDay()


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of Jakarta calendar days with its contract code."""

    start: date
    end: date
    code: str

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _PERIOD_RE.fullmatch(code)
        if not match:
            # Reasons never repeat the value: it is returned and logged, and could be anything.
            raise ValueError("period is not like '2026', '2026-S1' or '2026-Q3'")
        year, kind, number = int(match[1]), match[2], match[3]
        if not 2000 <= year <= 2100:
            raise ValueError("period has a year outside 2000–2100")
        if kind is None:
            return cls(date(year, 1, 1), date(year, 12, 31), code)
        index = int(number)
        if kind == "S":
            if index > 2:
                raise ValueError("period: a year has semesters S1 and S2 only")
            first_month, months = 1 + 6 * (index - 1), 6
        else:
            first_month, months = 1 + 3 * (index - 1), 3
        return cls(date(year, first_month, 1), _last_day(year, first_month + months - 1), code)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def elapsed_days(self, today: date) -> int:
        """Days of the period that have begun by `today` (today counts), clamped to the period."""
        if today < self.start:
            return 0
        if today > self.end:
            return self.days
        return (today - self.start).days + 1

    def expected_to_date(self, target: int, today: date) -> int:
        """docs/contract.md: target × elapsed days ÷ days in the period, rounded down."""
        return target * self.elapsed_days(today) // self.days

    def __str__(self) -> str:
        return self.code


def _last_day(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def periods_containing(day: date) -> list[Period]:
    """The year, semester and quarter that `day` falls in."""
    year = day.year
    semester = 1 if day.month <= 6 else 2
    quarter = (day.month - 1) // 3 + 1
    return [Period.parse(f"{year}"), Period.parse(f"{year}-S{semester}"), Period.parse(f"{year}-Q{quarter}")]
