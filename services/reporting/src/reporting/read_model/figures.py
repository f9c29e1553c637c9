"""Targets against actuals: the body of GET /api/v1/targets, the live stream and the dashboard."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import JAKARTA, Period
from organising_shared.reference import Sector
from reporting.projection.generations import Generation, current_generation
from reporting.read_model.counting import ALL_FEDERATIONS
from reporting.read_model.fields import TARGET_FIELDS

_SECTOR_ORDER = {sector.value: index for index, sector in enumerate(Sector)}


def metric_figures(target: int, actual: int, period: Period, today: date) -> dict[str, Any]:
    expected = period.expected_to_date(target, today)
    if actual >= target > 0:
        status = "achieved"
    elif actual >= expected:
        status = "on_track"
    else:
        status = "behind"
    return {
        "target": target,
        "actual": actual,
        # No percentage of nothing: a zero target has no progress to show.
        "percent": round(actual * 100 / target, 1) if target > 0 else None,
        "expected_to_date": expected,
        "status": status,
    }


async def actuals(generation: Generation, period: str) -> dict[tuple[str, str], dict[str, int]]:
    """(sector, federation) → the three metrics, plus (sector, "*") summed over federations."""
    sums: dict[tuple[str, str], dict[str, int]] = {}
    async for row in generation.counters.find({"period": period}, {name: 1 for name in ("sector", "federation", *TARGET_FIELDS)}):
        for key in ((row["sector"], row["federation"]), (row["sector"], ALL_FEDERATIONS)):
            bucket = sums.setdefault(key, dict.fromkeys(TARGET_FIELDS, 0))
            for name in TARGET_FIELDS:
                bucket[name] += row.get(name, 0)
    return sums


async def targets_report(database: AsyncDatabase, period: Period, federation: str | None, today: date) -> dict[str, Any]:
    """One entry per target set for `period` (only that federation's targets when given).

    A confederation-wide target (no federation) counts every federation's events in its sector.
    """
    generation = await current_generation(database)
    query: dict[str, Any] = {"period": period.code}
    if federation is not None:
        query["federation"] = federation
    targets = [row async for row in generation.targets.find(query)]
    figures = await actuals(generation, period.code) if targets else {}
    targets.sort(key=lambda row: (_SECTOR_ORDER.get(row["sector"], 99), row["federation"] or ""))
    sectors = []
    for row in targets:
        actual = figures.get((row["sector"], row["federation"] or ALL_FEDERATIONS), dict.fromkeys(TARGET_FIELDS, 0))
        sectors.append(
            {
                "sector": row["sector"],
                "federation": row["federation"],
                "metrics": {name: metric_figures(row[name], actual[name], period, today) for name in TARGET_FIELDS},
            }
        )
    return {"period": period.code, "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"), "sectors": sectors}


async def targets_json(database: AsyncDatabase, period: Period, federation: str | None, today: date) -> bytes:
    """`targets_report` as the JSON body of GET /api/v1/targets (what a cache keeps and serves as is)."""
    report = await targets_report(database, period, federation, today)
    return json.dumps(report, separators=(",", ":"), ensure_ascii=False).encode()
