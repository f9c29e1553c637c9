"""Violation cases one by one: the stored `view` of a case, its stage timeline and deadlines.

The case documents are written by the projection (`projection.apply`, with the counters); each
write also stores `view`, what the case is now (`derive`, a pure function of its events), so the
list can filter on top-level fields without reading every case's events. `view` is None until
the case's first `ViolationReported` has arrived (a progress or closure before it waits).

What moves with the calendar alone (working days left, overdue, the days used in the current
stage) is taken when read, from Asia/Jakarta's today (docs/contract.md, v1 additions):

- current stage = the latest ViolationCaseProgressed by (`changed_on`, arrival); `bipartite`,
  entered on `reported_on`, before any;
- deadline = `deadlines.stage_deadline(stage, entered_on)` (None for labour inspection and a
  police report); `working_days_left` = `working_days_until(today, deadline)`;
- overdue = the case is open and its deadline is before today.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.deadlines import stage_deadline, working_days_until
from organising_shared.periods import Period
from reporting.projection.generations import current_generation
from reporting.read_model import counting

VIEW = "view"


@lru_cache(maxsize=8192)
def _deadline(stage: str, entered_on: str) -> str | None:
    # A flood of cases shares a few hundred (stage, day) pairs; each costs ~40 holiday lookups.
    deadline = stage_deadline(stage, date.fromisoformat(entered_on))
    return deadline.isoformat() if deadline else None


def derive(document: Mapping[str, Any]) -> dict[str, Any]:
    """`{"view": ...}` to store on the case document (dates as ISO text, so they compare in queries)."""
    state = counting.case_state(document)
    if state is None:
        return {VIEW: None}
    report, close = state["report"], state["close"]
    return {
        VIEW: {
            "federation": report["federation"],
            "sector": report["sector"],
            "workplace_id": report.get("workplace_id"),
            "region_code": report["region_code"],
            "category": report["category"],
            "workers_affected": report["workers_affected"],
            "women_affected": report.get("women_affected"),
            "reported_on": report["day"],
            "stage": state["stage"],
            "stage_entered_on": state["stage_entered_on"],
            "deadline": _deadline(state["stage"], state["stage_entered_on"]),
            "state": "closed" if close else "open",
            "closed_on": close["day"] if close else None,
            "outcome": close["outcome"] if close else None,
            "recovered_idr": close.get("recovered_idr") if close else None,
            "workers_benefited": close.get("workers_benefited") if close else None,
        }
    }


def is_overdue(view: Mapping[str, Any], today: date) -> bool:
    return view["state"] == "open" and view["deadline"] is not None and view["deadline"] < today.isoformat()


def case_item(case_id: str, view: Mapping[str, Any], today: date) -> dict[str, Any]:
    """One entry of GET /api/v1/violations."""
    deadline = view["deadline"]
    open_with_deadline = view["state"] == "open" and deadline is not None
    return {
        "case_id": case_id,
        **view,
        "working_days_left": working_days_until(today, date.fromisoformat(deadline)) if open_with_deadline else None,
        "overdue": is_overdue(view, today),
    }


def timeline(document: Mapping[str, Any], today: date) -> list[dict[str, Any]]:
    """Every stage the case went through, in order: when it entered and left it, that stage's
    statutory deadline, and the working days it used (up to today for a current stage).

    The first entry is bipartite on `reported_on` unless a progress to bipartite says otherwise
    (then that progress is the entry). Working days used count from the day after `entered_on`,
    like the deadline; a stage left before it was entered (dates sent out of order) used none.
    """
    view = document.get(VIEW)
    if view is None:
        return []
    steps: list[tuple[str, str]] = [(entry["stage"], entry["day"]) for entry in counting.case_progress(document)]
    if not any(stage == counting.INITIAL_STAGE for stage, _ in steps):
        steps.insert(0, (counting.INITIAL_STAGE, view["reported_on"]))
    rows = []
    for index, (stage, entered_on) in enumerate(steps):
        left_on = steps[index + 1][1] if index + 1 < len(steps) else view["closed_on"]
        until = date.fromisoformat(left_on) if left_on else today
        entered = date.fromisoformat(entered_on)
        rows.append(
            {
                "stage": stage,
                "entered_on": entered_on,
                "deadline": _deadline(stage, entered_on),
                "left_on": left_on,
                "working_days_used": max(0, working_days_until(entered, until)) if until >= entered else 0,
            }
        )
    return rows


def case_detail(document: Mapping[str, Any], today: date) -> dict[str, Any]:
    """GET /api/v1/violations/{case_id}: the list's entry and the timeline."""
    return case_item(document["_id"], document[VIEW], today) | {"timeline": timeline(document, today)}


# ---------- reading ----------

_NO_DEADLINE = "9999-12-31"  # sorts after every date: cases without a deadline come last


@dataclass(frozen=True)
class CaseFilter:
    """The filters of GET /api/v1/violations (None: not filtered)."""

    period: Period | None = None
    sector: str | None = None
    federation: str | None = None
    stage: str | None = None
    state: str | None = None  # "open" or "closed"
    overdue: bool | None = None

    def query(self, today: date) -> dict[str, Any]:
        """The store's query on the stored `view` (the case documents have no secondary index: a
        case insert is the projection's costliest write, and an index doubled it; the list reads
        a scan of the cases, see services/reporting/README.md)."""
        query: dict[str, Any] = {VIEW: {"$ne": None}}
        for name in ("sector", "federation", "stage", "state"):
            if getattr(self, name) is not None:
                query[f"{VIEW}.{name}"] = getattr(self, name)
        if self.period is not None:
            # Reported in the period, or open during it: reported by its end and not closed before its start.
            query[f"{VIEW}.reported_on"] = {"$lte": self.period.end.isoformat()}
            query["$or"] = [{f"{VIEW}.closed_on": None}, {f"{VIEW}.closed_on": {"$gte": self.period.start.isoformat()}}]
        return query

    def keeps(self, view: Mapping[str, Any], today: date) -> bool:
        return self.overdue is None or is_overdue(view, today) == self.overdue


def sort_key(case_id: str, view: Mapping[str, Any]) -> tuple[str, str]:
    """The list's order: the earliest deadline first (the next one to act on), cases without a
    deadline last, then `case_id`."""
    return (view["deadline"] or _NO_DEADLINE, case_id)


def encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The sort key `encode_cursor` wrote; ValueError for anything else."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise ValueError("is not a cursor this API returned as next_after") from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)):
        raise ValueError("is not a cursor this API returned as next_after")
    return value[0], value[1]


async def case_page(
    database: AsyncDatabase, filters: CaseFilter, today: date, *, limit: int, after: tuple[str, str] | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the list, and the cursor of the next page (None on the last)."""
    found = await _matching(database, filters, today)
    if after is not None:
        found = [item for item in found if item[0] > after]
    page = found[:limit]
    next_after = encode_cursor(page[-1][0]) if len(found) > limit else None
    return [case_item(case_id, view, today) for _, case_id, view in page], next_after


async def _matching(database: AsyncDatabase, filters: CaseFilter, today: date) -> list[tuple[tuple[str, str], str, dict[str, Any]]]:
    generation = await current_generation(database)
    found = [
        (sort_key(row["_id"], row[VIEW]), row["_id"], row[VIEW])
        async for row in generation.cases.find(filters.query(today), {VIEW: 1})
        if filters.keeps(row[VIEW], today)
    ]
    found.sort(key=lambda item: item[0])
    return found


async def case_items(database: AsyncDatabase, filters: CaseFilter, today: date) -> list[dict[str, Any]]:
    """Every case the filters choose, in the list's order (the export's sheet)."""
    return [case_item(case_id, view, today) for _, case_id, view in await _matching(database, filters, today)]


async def case_document(database: AsyncDatabase, case_id: str) -> dict[str, Any] | None:
    """A reported case's document (None when unknown, or known only by a progress or closure)."""
    generation = await current_generation(database)
    document = await generation.cases.find_one({"_id": case_id})
    return document if document and document.get(VIEW) else None
