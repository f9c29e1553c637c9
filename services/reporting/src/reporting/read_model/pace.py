"""Pace: each target metric's cumulative actual, day by day through the period, against the
expected line of docs/contract.md (target × elapsed days ÷ days in the period, rounded down:
`Period.expected_to_date` on each day). The body of GET /api/v1/pace and the dashboard's chart.

The per-day figures are the counters' `daily.<metric>.<day>` fields (`fields.daily`), written by
the same contributions as the totals, so the last cumulative value equals the metric's actual in
GET /api/v1/targets. A confederation-wide row (federation None) sums every federation, as a
confederation-wide target does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import JAKARTA, Period
from reporting.projection.generations import Generation, current_generation
from reporting.read_model.counting import ALL_FEDERATIONS
from reporting.read_model.fields import DAILY, TARGET_FIELDS
from reporting.read_model.targets import target_id

# (sector, federation or ALL_FEDERATIONS) → metric → day (ISO) → count on that day.
DailyFigures = dict[tuple[str, str], dict[str, dict[str, int]]]


async def daily_figures(generation: Generation, period: Period, sector: str | None = None) -> DailyFigures:
    """The per-day counts of the period's counter documents, per federation and summed over them."""
    query: dict[str, Any] = {"period": period.code}
    if sector is not None:
        query["sector"] = sector
    sums: DailyFigures = {}
    async for row in generation.counters.find(query, {"sector": 1, "federation": 1, DAILY: 1}):
        for key in ((row["sector"], row["federation"]), (row["sector"], ALL_FEDERATIONS)):
            bucket = sums.setdefault(key, {})
            for metric, days in (row.get(DAILY) or {}).items():
                into = bucket.setdefault(metric, {})
                for day, amount in days.items():
                    into[day] = into.get(day, 0) + amount
    return sums


def days_of(period: Period) -> list[date]:
    return [period.start + timedelta(days=offset) for offset in range(period.days)]


def cumulative(period: Period, per_day: Mapping[str, int], today: date) -> list[int]:
    """The running total at the end of each day of the period, up to and including `today`
    (nothing after it: those days have not happened)."""
    totals, running = [], 0
    for day in days_of(period):
        if day > today:
            break
        running += per_day.get(day.isoformat(), 0)
        totals.append(running)
    return totals


def expected_line(period: Period, target: int) -> list[int]:
    """docs/contract.md's expected_to_date on every day of the period."""
    return [period.expected_to_date(target, day) for day in days_of(period)]


def metric_days(period: Period, target: int | None, per_day: Mapping[str, int], today: date) -> list[dict[str, Any]]:
    """[{day, actual, expected}] for every day of the period: `actual` is None after today,
    `expected` None when no target is set."""
    actual = cumulative(period, per_day, today)
    expected = expected_line(period, target) if target is not None else None
    return [
        {
            "day": day.isoformat(),
            "actual": actual[index] if index < len(actual) else None,
            "expected": expected[index] if expected is not None else None,
        }
        for index, day in enumerate(days_of(period))
    ]


async def _target_row(generation: Generation, period: Period, sector: str, federation: str | None) -> Mapping[str, Any] | None:
    return await generation.targets.find_one({"_id": target_id(period.code, sector, federation)})


async def pace_report(database: AsyncDatabase, period: Period, sector: str, federation: str | None, today: date) -> dict[str, Any]:
    """GET /api/v1/pace: per metric, every day of the period with its cumulative actual and expected.

    `federation` None is the whole confederation (every federation's events, against the
    confederation-wide target); a federation counts its own events against its own target.
    """
    generation = await current_generation(database)
    figures = await daily_figures(generation, period, sector)
    counted = figures.get((sector, federation or ALL_FEDERATIONS), {})
    target = await _target_row(generation, period, sector, federation)
    return {
        "period": period.code,
        "sector": sector,
        "federation": federation,
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "metrics": {
            metric: {
                "target": target[metric] if target else None,
                "days": metric_days(period, target[metric] if target else None, counted.get(metric, {}), today),
            }
            for metric in TARGET_FIELDS
        },
    }


async def pace_of_targets(
    database: AsyncDatabase, period: Period, targets: Iterable[Mapping[str, Any]], today: date
) -> list[dict[str, Any]]:
    """The dashboard's compact form, one entry per target row of GET /api/v1/targets (same order):
    `actual` holds the cumulative figure of each day up to today, `expected` every day of the
    period. Arrays, not one object per day: the live stream sends this on every change."""
    rows = list(targets)
    if not rows:
        return []
    figures = await daily_figures(await current_generation(database), period)
    pace = []
    for row in rows:
        counted = figures.get((row["sector"], row["federation"] or ALL_FEDERATIONS), {})
        pace.append(
            {
                "sector": row["sector"],
                "federation": row["federation"],
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "metrics": {
                    metric: {
                        "actual": cumulative(period, counted.get(metric, {}), today),
                        "expected": expected_line(period, row["metrics"][metric]["target"]),
                    }
                    for metric in TARGET_FIELDS
                },
            }
        )
    return pace
