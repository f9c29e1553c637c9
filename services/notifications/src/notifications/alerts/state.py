"""The service's own small state for the time-based alerts, kept from the events exactly once.

Called in the projector's transaction (with the delivery queueing and the Kafka offsets), so
a redelivered record changes nothing. One document per plan item, case and workplace keeps the
history that matters (never a `note` or `summary`: free text is not needed to alert) and the
fields the evaluator queries on, folded again from that history on every change
(`notifications.domain.folds`). The same event produced twice is recognised by its `event_id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from notifications.domain.folds import case_now, plan_item_now, workplace_now
from notifications.domain.notices import case_key
from organising_shared.events import Event
from organising_shared.projections import Delivered
from organising_shared.reference import CbaStatus

PLAN_ITEMS = "alert_plan_items"
CASES = "alert_cases"
WORKPLACES = "alert_workplaces"
RAISED = "alerts_raised"  # one row per alert key ever raised: the evaluator's memory

# The events that can move a threshold (membership and progress events cannot).
ALERT_EVENT_TYPES = frozenset(
    {
        "ActionPlanItemAdded",
        "ActionPlanItemProgressed",
        "ViolationReported",
        "ViolationCaseProgressed",
        "ViolationCaseClosed",
        "WorkplaceRegistered",
        "WorkplaceUpdated",
    }
)


async def ensure_alert_indexes(database: AsyncDatabase) -> None:
    await database[PLAN_ITEMS].create_index([("open", ASCENDING), ("due_on", ASCENDING)])
    await database[CASES].create_index([("open", ASCENDING), ("deadline", ASCENDING)])
    await database[WORKPLACES].create_index([("cba_in_force", ASCENDING), ("cba_expires_on", ASCENDING)])


@dataclass(frozen=True)
class Change:
    collection: str
    key: str
    identity: dict[str, Any]  # fields every document of its kind has
    slot: str  # "added"/"report"/"registered"/"closed_on" are replaced, the others appended to
    entry: Any
    appended: bool


def change_for(event: Event) -> Change | None:
    data: Any = event.data
    federation = event.federation
    match event.event_type:
        case "ActionPlanItemAdded":
            entry = {
                "federation": data.federation,
                "sector": data.sector,
                "kind": data.kind,
                "period": data.period,
                "title": data.title,
                "responsible": data.responsible,
                "due_on": data.due_on.isoformat(),
            }
            return Change(PLAN_ITEMS, data.item_id, {}, "added", entry, appended=False)
        case "ActionPlanItemProgressed":
            entry = {"status": data.status, "changed_on": data.changed_on.isoformat()}  # not the free-text note
            return Change(PLAN_ITEMS, data.item_id, {}, "progress", entry, appended=True)
        case "ViolationReported":
            identity = {"federation": federation, "case_id": data.case_id}
            entry = {
                "reported_on": data.reported_on.isoformat(),
                "sector": data.sector,
                "category": data.category,
                "region_code": data.region_code,
            }
            return Change(CASES, case_key(federation, data.case_id), identity, "report", entry, appended=False)
        case "ViolationCaseProgressed":
            identity = {"federation": federation, "case_id": data.case_id}
            entry = {"stage": data.stage, "changed_on": data.changed_on.isoformat()}
            return Change(CASES, case_key(federation, data.case_id), identity, "progress", entry, appended=True)
        case "ViolationCaseClosed":
            identity = {"federation": federation, "case_id": data.case_id}
            return Change(CASES, case_key(federation, data.case_id), identity, "closed_on", data.closed_on.isoformat(), appended=False)
        case "WorkplaceRegistered":
            identity = {"federation": federation, "workplace_id": data.workplace_id}
            entry = {
                "sector": data.sector,
                "region_code": data.region_code,
                "employer": data.employer,
                "cba": data.cba,
                "cba_expires_on": data.cba_expires_on.isoformat() if data.cba_expires_on else None,
            }
            return Change(WORKPLACES, workplace_key(federation, data.workplace_id), identity, "registered", entry, appended=False)
        case "WorkplaceUpdated":
            identity = {"federation": federation, "workplace_id": data.workplace_id}
            entry = {"changed_on": data.changed_on.isoformat()}
            for name in ("employer", "cba", "cba_expires_on"):
                value = getattr(data, name)
                if value is not None:
                    entry[name] = value.isoformat() if name == "cba_expires_on" else value
            return Change(WORKPLACES, workplace_key(federation, data.workplace_id), identity, "updates", entry, appended=True)
    return None


def workplace_key(federation: str, workplace_id: str) -> str:
    # Workplaces are each federation's own (docs/contract.md): two may register the same factory.
    return f"{federation}|{workplace_id}"


async def record_alert_state(database: AsyncDatabase, delivered: Sequence[Delivered], session: AsyncClientSession) -> int:
    """Fold each event into its plan item, case or workplace; returns how many documents changed."""
    changed = 0
    for item in delivered:
        change = change_for(item.event)
        if change is None:
            continue
        collection = database[change.collection]
        row = await collection.find_one({"_id": change.key}, session=session)
        folded = fold_into(row, change, str(item.event.event_id))
        if folded is not None:
            await collection.replace_one({"_id": change.key}, folded, upsert=True, session=session)
            changed += 1
    return changed


def empty_row(change: Change) -> dict[str, Any]:
    return {"_id": change.key, "seen": [], "arrivals": 0}


def fold_into(row: dict[str, Any] | None, change: Change, event_id: str) -> dict[str, Any] | None:
    """Add one event to its thing's document (created when None); None when the event was seen before."""
    row = row if row is not None else empty_row(change)
    if event_id in row["seen"]:
        return None  # the same event produced twice
    row.update(change.identity)
    arrival = row["arrivals"]
    if change.appended:
        row.setdefault(change.slot, []).append({**change.entry, "arrival": arrival})
    elif change.slot == "added" and "added" in row:
        pass  # a plan item is its first ActionPlanItemAdded, as reporting counts it: a re-send changes nothing
    elif isinstance(change.entry, dict):
        row[change.slot] = {**change.entry, "arrival": arrival}  # the latest by arrival describes it
    else:
        row[change.slot] = change.entry
    row["seen"].append(event_id)
    row["arrivals"] = arrival + 1
    row.update(_queried_fields(change.collection, row))
    return row


def _queried_fields(collection: str, row: dict[str, Any]) -> dict[str, Any]:
    """What the evaluator narrows its reads with (the rules in domain/alerts.py decide)."""
    if collection == PLAN_ITEMS:
        item = plan_item_now(row)
        return {"open": item is not None and not item.status.is_settled, "due_on": item.due_on.isoformat() if item else None}
    if collection == CASES:
        case = case_now(row)
        deadline = case.deadline.isoformat() if case and case.deadline else None
        return {"open": case is not None and case.open, "deadline": deadline}
    workplace = workplace_now(row)
    return {
        "cba_in_force": workplace.cba is CbaStatus.IN_FORCE,
        "cba_expires_on": workplace.cba_expires_on.isoformat() if workplace.cba_expires_on else None,
    }
