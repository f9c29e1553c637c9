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
from organising_shared.reference import AgeBand, CaseStage, EmploymentStatus, Gender, Sector, ViolationCategory
from reporting.generations import current_generation

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


def _region(code_key: str) -> str:
    return code_key.replace("-", ".")


async def _counter_rows(database: AsyncDatabase, period: Period, sector: str | None) -> list[dict[str, Any]]:
    generation = await current_generation(database)
    query: dict[str, Any] = {"period": period.code}
    if sector is not None:
        query["sector"] = sector
    return [row async for row in generation.counters.find(query)]


def _membership_figures(tree: dict[str, Any], suppress: bool) -> dict[str, Any]:
    recruited, left = _get(tree, "members_recruited"), _get(tree, "members_left")
    return {
        "members_recruited": _people(recruited, suppress),
        "members_left": _people(left, suppress),
        "net_membership": _net(recruited, left, suppress),
        "union_units_established": _get(tree, "union_units_established"),
        "cases_reported": _get(tree, "cases_reported"),
        "cases_resolved": _get(tree, "cases_resolved"),
        "recovered_idr": _get(tree, "recovered_idr"),
    }


def _regions(tree: dict[str, Any], level: str, suppress: bool) -> list[dict[str, Any]]:
    codes = set(_get(tree, f"recruited.{level}") or {}) | set(_get(tree, f"left.{level}") or {}) | set(_get(tree, f"units.{level}") or {})
    rows = []
    for code in sorted(codes):
        recruited, left = _get(tree, f"recruited.{level}.{code}"), _get(tree, f"left.{level}.{code}")
        rows.append(
            {
                "region_code": _region(code),
                "members_recruited": _people(recruited, suppress),
                "members_left": _people(left, suppress),
                "net_membership": _net(recruited, left, suppress),
                "union_units_established": _get(tree, f"units.{level}.{code}"),
            }
        )
    return rows


def _by(tree: dict[str, Any], path: str, values: list[str], suppress: bool) -> dict[str, int | None]:
    return {value: _people(_get(tree, f"{path}.{value}"), suppress) for value in values}


def _open_cases_by_age(tree: dict[str, Any], today: date) -> dict[str, int]:
    """Open cases reported in the period, by how long ago they were reported."""
    ages = {label: 0 for _, label in OPEN_CASE_AGES}
    for day, count in (_get(tree, "cases.open_by_day") or {}).items():
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
        "cases_reported": _get(tree, "cases_reported"),
        "cases_open": sum(_get(tree, f"cases.open.category.{c}") for c in categories),
        "cases_closed": _get(tree, "cases_closed"),
        "cases_resolved": _get(tree, "cases_resolved"),
        "by_category": {
            c: {
                "open": _get(tree, f"cases.open.category.{c}"),
                "closed": _get(tree, f"cases.closed.category.{c}"),
                "workers_affected": _people(_get(tree, f"cases.workers_affected.category.{c}"), suppress),
            }
            for c in categories
        },
        "by_stage": {s: {"open": _get(tree, f"cases.open.stage.{s}"), "closed": _get(tree, f"cases.closed.stage.{s}")} for s in stages},
        "by_outcome": dict(sorted((_get(tree, "cases.outcome") or {}).items())),
        "workers_affected": _people(_get(tree, "workers_affected"), suppress),
        "women_affected": _people(_get(tree, "women_affected"), suppress),
        "workers_benefited": _people(_get(tree, "workers_benefited"), suppress),
        "recovered_idr": _get(tree, "recovered_idr"),
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
        {"federation": row["federation"], **_membership_figures(row, suppress_small)} for row in sorted(rows, key=lambda row: row["federation"])
    ]
    return {
        "period": period.code,
        "sector": sector,
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        "suppressed_below": SMALL_CELL if suppress_small else None,
        "totals": {
            **_membership_figures(total, suppress_small),
            "founding_members": _people(_get(total, "founding_members"), suppress_small),
            "women_on_board": _people(_get(total, "women_on_board"), suppress_small),
        },
        "by_federation": by_federation,
        "members_recruited_by": {
            "gender": _by(total, "recruited.gender", [g.value for g in Gender], suppress_small),
            "employment_status": _by(total, "recruited.employment_status", [s.value for s in EmploymentStatus], suppress_small),
            "age_band": _by(total, "recruited.age_band", [a.value for a in AgeBand], suppress_small),
        },
        "by_province": _regions(total, "province", suppress_small),
        "by_regency": _regions(total, "regency", suppress_small),
        "violations": {
            **_violations(total, suppress_small),
            "open_by_age": _open_cases_by_age(total, today or jakarta_today()),
        },
    }


async def violations_summary(database: AsyncDatabase, period: Period, sector: str | None, *, suppress_small: bool = False) -> dict[str, Any]:
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
