"""Action plan items (rencana aksi): projection and the figures of GET /api/v1/plans.

An item is its first `ActionPlanItemAdded` (by arrival) and its status is the latest
`ActionPlanItemProgressed` by `changed_on`, then arrival (docs/contract.md "Status and overdue");
a progress that arrives before its item is kept and applies once the item arrives. Without any
progress an item is `planned`. Overdue is taken on reading: `due_on` before today in
Asia/Jakarta and a status neither `done` nor `dropped`.

Which items a period shows: those whose `period` is the one asked for, or whose `due_on` lies in
it (a `2026` item due in May shows in `2026-S1` and `2026-Q2`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from organising_shared.events import Event
from organising_shared.periods import JAKARTA, Period
from organising_shared.reference import PlanItemStatus, Sector
from reporting.read_model.event_sets import Entry, in_arrival_order

ADDED, PROGRESS = "added", "progress"
STATUSES = tuple(status.value for status in PlanItemStatus)
SUMMARY_STATUSES = ("done", "in_progress", "postponed", "dropped")
_SECTOR_ORDER = {sector.value: index for index, sector in enumerate(Sector)}


def plan_entry(event: Event) -> tuple[str, Entry]:
    """(item_id, entry) of a plan event, for `event_sets.apply_event_sets`."""
    data: Any = event.data  # the caller chose the event by `event_type`
    entry = data.model_dump(mode="json", exclude={"item_id"}) | {"publisher": event.federation}
    bucket = ADDED if event.event_type == "ActionPlanItemAdded" else PROGRESS
    return data.item_id, (bucket, str(event.event_id), entry)


def history(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The item's progress, in the order that decides its status: `changed_on`, then arrival."""
    return sorted((document.get(PROGRESS) or {}).values(), key=lambda entry: (entry["changed_on"], entry["seq"]))


def derive(document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored `state` of an item: None until its `ActionPlanItemAdded` arrives."""
    added = in_arrival_order(document.get(ADDED))
    if not added:
        return {"state": None}
    first = added[0]
    steps = history(document)
    latest = steps[-1] if steps else None
    return {
        "state": {
            "period": first["period"],
            "sector": first["sector"],
            "federation": first.get("federation"),
            "kind": first["kind"],
            "title": first["title"],
            "responsible": first["responsible"],
            "due_on": first["due_on"],
            "planned_count": first.get("planned_count"),
            "programme": first.get("programme"),
            "status": latest["status"] if latest else PlanItemStatus.PLANNED.value,
            "status_changed_on": latest["changed_on"] if latest else None,
            "note": latest.get("note") if latest else None,
        }
    }


def is_overdue(state: Mapping[str, Any], today: date) -> bool:
    return date.fromisoformat(state["due_on"]) < today and not PlanItemStatus(state["status"]).is_settled


def item_view(document: Mapping[str, Any], today: date) -> dict[str, Any]:
    state = document["state"]
    return {"item_id": document["_id"], **state, "overdue": is_overdue(state, today)}


def detail_view(document: Mapping[str, Any], today: date) -> dict[str, Any]:
    return item_view(document, today) | {
        "history": [{"status": step["status"], "changed_on": step["changed_on"], "note": step.get("note")} for step in history(document)]
    }


def in_period(state: Mapping[str, Any], period: Period) -> bool:
    return state["period"] == period.code or period.contains(date.fromisoformat(state["due_on"]))


def select(
    documents: Iterable[Mapping[str, Any]], period: Period, *, sector: str | None = None, federation: str | None = None
) -> list[Mapping[str, Any]]:
    """The items (stored documents with a state) shown for `period`, in a stable order."""
    chosen = [
        document
        for document in documents
        if (state := document.get("state"))
        and in_period(state, period)
        and (sector is None or state["sector"] == sector)
        and (federation is None or state["federation"] == federation)
    ]
    return sorted(chosen, key=_order)


def _order(document: Mapping[str, Any]) -> tuple:
    state = document["state"]
    return (_SECTOR_ORDER.get(state["sector"], 99), state["federation"] or "", state["due_on"], document["_id"])


def summarise(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per sector and federation (None: confederation-wide items): `planned` is how many items
    the plan has, then how many stand at each status, and how many are overdue."""
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for item in items:
        key = (item["sector"], item["federation"])
        row = rows.setdefault(
            key, {"sector": key[0], "federation": key[1], "planned": 0, **dict.fromkeys(SUMMARY_STATUSES, 0), "overdue": 0}
        )
        row["planned"] += 1
        if item["status"] in SUMMARY_STATUSES:
            row[item["status"]] += 1
        row["overdue"] += int(item["overdue"])
    return [rows[key] for key in sorted(rows, key=lambda key: (_SECTOR_ORDER.get(key[0], 99), key[1] or ""))]


def may_read(federation: str | None, *, is_admin: bool, own: str | None) -> bool:
    """A plan item is its federation's record; a confederation-wide one (None) is everyone's plan."""
    return is_admin or federation is None or (own is not None and federation == own)


def plans_report(
    documents: Iterable[Mapping[str, Any]],
    period: Period,
    today: date,
    *,
    sector: str | None,
    federation: str | None,
    readable: Any,
    list_items: bool,
) -> dict[str, Any]:
    """GET /api/v1/plans: `readable(federation)` says which items may be listed (the summary counts
    every item); `list_items` False (a viewer) lists none."""
    items = [item_view(document, today) for document in select(documents, period, sector=sector, federation=federation)]
    return {
        "period": period.code,
        "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
        "items": [item for item in items if list_items and readable(item["federation"])],
        "summary": summarise(items),
    }
