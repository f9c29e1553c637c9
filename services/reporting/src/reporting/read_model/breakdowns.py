"""Breakdowns of one period and sector, and the violations summary (plain functions).

Figures come from the counter documents (one per period, sector and federation), including the
age of open cases, which changes every day without an event: the counters hold open cases by
the day they were reported, and the age is taken on reading.

Privacy (docs/decisions.md): with `suppress_small`, every cell that counts people and holds 1–4 is
replaced by None, so that a viewer cannot single out the few women recruited at one regency.
Counts of union units and of cases are not people and are never suppressed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import JAKARTA, Period, jakarta_today
from organising_shared.reference import (
    AgeBand,
    CaseStage,
    EmploymentStatus,
    Gender,
    Sector,
    ViolationCategory,
)
from reporting.projection.generations import current_generation
from reporting.read_model import fields as F

SMALL_CELL = 5
OPEN_CASE_AGES = ((30, "under_30_days"), (90, "30_89_days"), (180, "90_179_days"), (None, "180_days_plus"))


def _sum_into(total: dict[str, Any], row: dict[str, Any]) -> None:
    for key, value in row.items():
        if isinstance(value, dict):
            _sum_into(total.setdefault(key, {}), value)
        elif isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value


def _get(tree: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        tree = tree.get(part, {}) if isinstance(tree, dict) else {}
    return tree if tree != {} else 0


def _people(value: int, suppress: bool) -> int | None:
    return None if suppress and 0 < value < SMALL_CELL else value


def _net(recruited: int, left: int, suppress: bool) -> int | None:
    if suppress and (0 < recruited < SMALL_CELL or 0 < left < SMALL_CELL):
        return None
    return recruited - left


async def _counter_rows(database: AsyncDatabase, period: Period, sector: str | None) -> list[dict[str, Any]]:
    generation = await current_generation(database)
    query: dict[str, Any] = {"period": period.code}
    if sector is not None:
        query["sector"] = sector
    return [row async for row in generation.counters.find(query)]


def _membership_figures(tree: dict[str, Any], suppress: bool) -> dict[str, Any]:
    recruited, left = _get(tree, F.MEMBERS_RECRUITED), _get(tree, F.MEMBERS_LEFT)
    return {
        "members_recruited": _people(recruited, suppress),
        "members_left": _people(left, suppress),
        "net_membership": _net(recruited, left, suppress),
        "union_units_established": _get(tree, F.UNION_UNITS_ESTABLISHED),
        "cases_reported": _get(tree, F.CASES_REPORTED),
        "cases_resolved": _get(tree, F.CASES_RESOLVED),
        "recovered_idr": _get(tree, F.RECOVERED_IDR),
    }


def _regions(tree: dict[str, Any], level: str, suppress: bool) -> list[dict[str, Any]]:
    groups = (F.RECRUITED, F.LEFT, F.UNITS)
    codes = set().union(*(_get(tree, F.by_region(group, level)) or {} for group in groups))
    rows = []
    for code in sorted(codes):
        recruited, left = _get(tree, F.by_region(F.RECRUITED, level, code)), _get(tree, F.by_region(F.LEFT, level, code))
        rows.append(
            {
                "region_code": F.region_code_of(code),
                "members_recruited": _people(recruited, suppress),
                "members_left": _people(left, suppress),
                "net_membership": _net(recruited, left, suppress),
                "union_units_established": _get(tree, F.by_region(F.UNITS, level, code)),
            }
        )
    return rows


def _recruited_by(tree: dict[str, Any], dimension: str, values: list[str], suppress: bool) -> dict[str, int | None]:
    return {value: _people(_get(tree, F.recruited_by(dimension, value)), suppress) for value in values}


def _open_cases_by_age(tree: dict[str, Any], today: date) -> dict[str, int]:
    """Open cases reported in the period, by how long ago they were reported."""
    ages = {label: 0 for _, label in OPEN_CASE_AGES}
    for day, count in (_get(tree, F.OPEN_CASES_BY_DAY) or {}).items():
        days = (today - date.fromisoformat(day)).days
        for limit, label in OPEN_CASE_AGES:
            if limit is None or days < limit:
                ages[label] += count
                break
    return ages


def _violations(tree: dict[str, Any], suppress: bool) -> dict[str, Any]:
    categories = [category.value for category in ViolationCategory]
    stages = [stage.value for stage in CaseStage]
    return {
        "cases_reported": _get(tree, F.CASES_REPORTED),
        "cases_open": sum(_get(tree, F.cases_by("open", "category", c)) for c in categories),
        "cases_closed": _get(tree, F.CASES_CLOSED),
        "cases_resolved": _get(tree, F.CASES_RESOLVED),
        "by_category": {
            c: {
                "open": _get(tree, F.cases_by("open", "category", c)),
                "closed": _get(tree, F.cases_by("closed", "category", c)),
                "workers_affected": _people(_get(tree, F.workers_affected_by_category(c)), suppress),
            }
            for c in categories
        },
        "by_stage": {
            s: {"open": _get(tree, F.cases_by("open", "stage", s)), "closed": _get(tree, F.cases_by("closed", "stage", s))} for s in stages
        },
        "by_outcome": dict(sorted((_get(tree, F.CASE_OUTCOMES) or {}).items())),
        "workers_affected": _people(_get(tree, F.WORKERS_AFFECTED), suppress),
        "women_affected": _people(_get(tree, F.WOMEN_AFFECTED), suppress),
        "workers_benefited": _people(_get(tree, F.WORKERS_BENEFITED), suppress),
        "recovered_idr": _get(tree, F.RECOVERED_IDR),
    }


async def sector_breakdown(
    database: AsyncDatabase, period: Period, sector: str, *, suppress_small: bool, today: date | None = None
) -> dict[str, Any]:
    """Everything the quarterly evaluation shows for one sector and period."""
    sector = Sector(sector).value
    rows = await _counter_rows(database, period, sector)
    total: dict[str, Any] = {}
    for row in rows:
        _sum_into(total, row)
    by_federation = [
        {"federation": row["federation"], **_membership_figures(row, suppress_small)}
        for row in sorted(rows, key=lambda row: row["federation"])
    ]
    return {
        "period": period.code,
        "sector": sector,
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        "suppressed_below": SMALL_CELL if suppress_small else None,
        "totals": {
            **_membership_figures(total, suppress_small),
            "founding_members": _people(_get(total, F.FOUNDING_MEMBERS), suppress_small),
            "women_on_board": _people(_get(total, F.WOMEN_ON_BOARD), suppress_small),
        },
        "by_federation": by_federation,
        "members_recruited_by": {
            "gender": _recruited_by(total, "gender", [g.value for g in Gender], suppress_small),
            "employment_status": _recruited_by(total, "employment_status", [s.value for s in EmploymentStatus], suppress_small),
            "age_band": _recruited_by(total, "age_band", [a.value for a in AgeBand], suppress_small),
        },
        "by_province": _regions(total, "province", suppress_small),
        "by_regency": _regions(total, "regency", suppress_small),
        "violations": {
            **_violations(total, suppress_small),
            "open_by_age": _open_cases_by_age(total, today or jakarta_today()),
        },
    }


async def violations_summary(
    database: AsyncDatabase, period: Period, sector: str | None, *, suppress_small: bool = False
) -> dict[str, Any]:
    """Cases reported in `period` (open or closed now) by category and stage, workers affected,
    and money recovered by cases closed in `period`."""
    sector = Sector(sector).value if sector is not None else None
    total: dict[str, Any] = {}
    for row in await _counter_rows(database, period, sector):
        _sum_into(total, row)
    return {
        "period": period.code,
        "sector": sector,
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        **_violations(total, suppress_small),
    }
