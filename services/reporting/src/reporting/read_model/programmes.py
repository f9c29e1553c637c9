"""The programme report: a funding programme's indicators over its period and scope.

Scope: the programme's federations and sectors (`Programme.covers`). Activities and plan items
count when they name the programme, or name none and lie in its scope; one naming another
programme is that programme's. Trainings are activities of kind `training` or `workshop`
(`activities.TRAINING_KINDS`). Members, union units and cases come from the counter documents of
the programme's period, summed over its sectors and federations: new members are counted as the
breakdowns count them (docs/contract.md counting rules), cases resolved and money recovered by
the day they were closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import JAKARTA, Period
from organising_shared.programmes import Programme
from organising_shared.reference import EmploymentStatus, Gender
from reporting.projection.generations import current_generation
from reporting.read_model import activities as A
from reporting.read_model import fields as F
from reporting.read_model import plans as P
from reporting.read_model.breakdowns import SMALL_CELL
from reporting.read_model.organising import activities_in, plan_documents


def _counts_for(programme: Programme, record: Mapping[str, Any], *, federation: str | None, sector: str | None) -> bool:
    named = record.get("programme")
    if named is not None:
        return named == programme.code
    return programme.covers(federation=federation, sector=sector)


def _get(tree: Mapping[str, Any], path: str) -> int:
    value: Any = tree
    for part in path.split("."):
        value = value.get(part, {}) if isinstance(value, Mapping) else {}
    return value if isinstance(value, int) else 0


def _people(value: int, suppress: bool) -> int | None:
    return None if suppress and 0 < value < SMALL_CELL else value


def _membership(rows: list[Mapping[str, Any]], suppress: bool) -> dict[str, Any]:
    def total(path: str) -> int:
        return sum(_get(row, path) for row in rows)

    return {
        "members_recruited": {
            "total": _people(total(F.MEMBERS_RECRUITED), suppress),
            "by_gender": {g.value: _people(total(F.recruited_by("gender", g.value)), suppress) for g in Gender},
            "by_employment_status": {
                s.value: _people(total(F.recruited_by("employment_status", s.value)), suppress) for s in EmploymentStatus
            },
        },
        "union_units_established": total(F.UNION_UNITS_ESTABLISHED),
        "cases": {
            "resolved": total(F.CASES_RESOLVED),
            "recovered_idr": total(F.RECOVERED_IDR),
            "workers_benefited": _people(total(F.WORKERS_BENEFITED), suppress),
        },
    }


def _plan_figures(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "planned": len(items),
        "done": sum(item["status"] == "done" for item in items),
        "overdue": sum(item["overdue"] for item in items),
        "planned_count": sum(item["planned_count"] or 0 for item in items),
        "done_count": sum(item["planned_count"] or 0 for item in items if item["status"] == "done"),
    }


def programme_description(programme: Programme) -> dict[str, Any]:
    period = Period.parse(programme.period)
    return {
        "code": programme.code,
        "name": programme.name,
        "partners": list(programme.partners),
        "period": programme.period,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "federations": list(programme.federations),
        "sectors": [sector.value for sector in programme.sectors],
    }


async def programme_report(database: AsyncDatabase, programme: Programme, *, suppress_small: bool, today: date) -> dict[str, Any]:
    period = Period.parse(programme.period)
    sectors = [sector.value for sector in programme.sectors]
    generation = await current_generation(database)
    counter_rows = [
        row
        async for row in generation.counters.find({"period": period.code})
        if row["sector"] in sectors and row["federation"] in programme.federations
    ]
    activities = [
        activity
        for activity in await activities_in(database, period)
        if _counts_for(programme, activity, federation=activity["federation"], sector=activity.get("sector"))
    ]
    trainings = [activity for activity in activities if activity["kind"] in A.TRAINING_KINDS]
    items = [
        P.item_view(document, today)
        for document in P.select(await plan_documents(database), period)
        if _counts_for(programme, document["state"], federation=document["state"]["federation"], sector=document["state"]["sector"])
    ]
    by_sector = []
    for sector in sectors:
        rows = [row for row in counter_rows if row["sector"] == sector]
        sector_trainings = [activity for activity in trainings if activity.get("sector") == sector]
        by_sector.append(
            {
                "sector": sector,
                **_membership(rows, suppress_small),
                "trainings": A.totals_of(sector_trainings).view(suppress_small),
                "plan_items": _plan_figures([item for item in items if item["sector"] == sector]),
            }
        )
    return {
        "programme": programme_description(programme),
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        "suppressed_below": SMALL_CELL if suppress_small else None,
        "training_kinds": list(A.TRAINING_KINDS),
        "trainings": A.totals_of(trainings).view(suppress_small),
        "activities": A.totals_of(activities).view(suppress_small),
        **_membership(counter_rows, suppress_small),
        "plan_items": _plan_figures(items),
        "by_sector": by_sector,
    }
