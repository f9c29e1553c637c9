"""GET /api/v1/workplaces: the register, union density and PKB (collective agreement) status.

Density (docs/contract.md, v1 additions): of a workplace, its active members ÷ its latest
`workforce`; of a sector or federation, the active members in its registered workplaces ÷ their
workforce. Members at workplaces that are not registered are not in any density. A workplace
counts under the sector its state names (the registration's, or a later update's: sector cannot
change by update, so the registration's).

PKB: counts of registered workplaces by `cba`, and `expiring_within_90_days`: in force with
`cba_expires_on` between today and today + 90 days (Asia/Jakarta), both included. An agreement
whose date has passed is not "expiring" (it has expired, and the workplace's record says so
until an update changes `cba`).

Privacy: aggregates count people (active members), so for every role but admin a row with 1-4
active members shows `active_members` and `density` as null, like the breakdowns' small cells.
The list itself shows records, and only to whom may read them (admin all, a federation its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import JAKARTA
from organising_shared.reference import CbaStatus, Sector
from reporting.projection.generations import current_generation
from reporting.read_model import workplaces as W
from reporting.read_model.breakdowns import SMALL_CELL

EXPIRY_WINDOW_DAYS = 90
_SECTOR_ORDER = {sector.value: index for index, sector in enumerate(Sector)}


def density(active: int, workforce: int) -> float | None:
    return round(active / workforce, 4) if workforce > 0 else None


def expires_within_window(state: Mapping[str, Any], today: date) -> bool:
    expires = state.get("cba_expires_on")
    if state.get("cba") != CbaStatus.IN_FORCE.value or not expires:
        return False
    return today <= date.fromisoformat(expires) <= today + timedelta(days=EXPIRY_WINDOW_DAYS)


def workplace_item(document: Mapping[str, Any], active: int, today: date) -> dict[str, Any]:
    state = document["state"]
    return {
        "federation": document["federation"],
        "workplace_id": document["workplace_id"],
        "sector": state["sector"],
        "region_code": state["region_code"],
        "employer": state["employer"],
        "workforce": state["workforce"],
        "active_members": active,
        "density": density(active, state["workforce"]),
        "women_percent": state.get("women_percent"),
        "outsourced_percent": state.get("outsourced_percent"),
        "cba": state["cba"],
        "cba_expires_on": state.get("cba_expires_on"),
        "cba_expires_within_90_days": expires_within_window(state, today),
        "changed_on": state.get("changed_on"),
    }


def _aggregate(rows: Iterable[dict[str, Any]], suppress: bool) -> dict[str, Any]:
    rows = list(rows)
    active = sum(row["active_members"] for row in rows)
    workforce = sum(row["workforce"] for row in rows)
    hidden = suppress and 0 < active < SMALL_CELL
    return {
        "workplaces": len(rows),
        "active_members": None if hidden else active,
        "workforce": workforce,
        "density": None if hidden else density(active, workforce),
    }


def _grouped(rows: list[dict[str, Any]], by: str, order: Callable[[str], Any], suppress: bool) -> list[dict[str, Any]]:
    keys = sorted({row[by] for row in rows}, key=order)
    return [{by: key, **_aggregate((row for row in rows if row[by] == key), suppress)} for key in keys]


def workplaces_report(
    documents: Iterable[Mapping[str, Any]],
    active: Mapping[tuple[str, str], int],
    today: date,
    *,
    readable: Callable[[str], bool],
    list_workplaces: bool,
    suppress_small: bool,
) -> dict[str, Any]:
    """The body of GET /api/v1/workplaces from the registered workplaces the filters chose."""
    rows = sorted(
        (workplace_item(document, active.get((document["federation"], document["workplace_id"]), 0), today) for document in documents),
        key=lambda row: (row["federation"], row["workplace_id"]),
    )
    cba = {status.value: sum(1 for row in rows if row["cba"] == status.value) for status in CbaStatus}
    return {
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        "small_cells_suppressed": suppress_small,
        "workplaces": [row for row in rows if readable(row["federation"])] if list_workplaces else [],
        "density": {
            "by_sector": _grouped(rows, "sector", lambda sector: _SECTOR_ORDER.get(sector, 99), suppress_small),
            "by_federation": _grouped(rows, "federation", lambda federation: federation, suppress_small),
            "overall": _aggregate(rows, suppress_small),
        },
        "cba": cba | {"expiring_within_90_days": sum(1 for row in rows if row["cba_expires_within_90_days"])},
    }


async def registered_workplaces(
    database: AsyncDatabase, *, sector: str | None = None, federation: str | None = None
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    """The registered workplaces (of one sector or federation when given) and the active members
    of their federations' workplaces, from the current generation."""
    generation = await current_generation(database)
    query: dict[str, Any] = {"state": {"$ne": None}}
    if sector is not None:
        query["state.sector"] = sector
    if federation is not None:
        query["federation"] = federation
    documents = [row async for row in generation.workplaces.find(query, {"federation": 1, "workplace_id": 1, "state": 1})]
    active = await W.active_members(generation.workplace_members, sorted({row["federation"] for row in documents}))
    return documents, active


async def workplace_document(database: AsyncDatabase, federation: str, workplace_id: str) -> tuple[dict[str, Any] | None, int]:
    """One registered workplace's document and its active members (None when not registered)."""
    generation = await current_generation(database)
    document = await generation.workplaces.find_one({"_id": W.workplace_key(federation, workplace_id)})
    if document is None or document.get("state") is None:
        return None, 0
    active = await W.active_members(generation.workplace_members, [federation])
    return document, active.get((federation, workplace_id), 0)
