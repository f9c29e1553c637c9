"""What the time-based alerts need to know now, folded from each thing's history: pure, no I/O.

Events may arrive out of business order (a late progress, a re-sent registration), so the
service keeps each plan item's, case's and workplace's history and folds it again on every
change, by business date first and arrival second (docs/contract.md, "v1 additions"). `arrival`
is the order in which this service applied the events of that one thing: the events of one
plan item, case or workplace share a partition key, so that is their order on Kafka.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from organising_shared.deadlines import stage_deadline
from organising_shared.reference import CaseStage, CbaStatus, PlanItemStatus


@dataclass(frozen=True)
class PlanItemNow:
    item_id: str
    federation: str | None  # None: a confederation-wide item
    sector: str
    kind: str
    period: str
    title: str
    responsible: str
    due_on: date
    status: PlanItemStatus


@dataclass(frozen=True)
class CaseNow:
    federation: str
    case_id: str
    sector: str | None  # None while the report has not been seen
    category: str | None
    region_code: str | None
    stage: CaseStage
    entered_on: date
    deadline: date | None  # None for a stage without a statutory limit
    open: bool


@dataclass(frozen=True)
class WorkplaceNow:
    federation: str
    workplace_id: str
    sector: str | None  # None while the registration has not been seen
    region_code: str | None
    employer: str | None
    cba: CbaStatus | None
    cba_expires_on: date | None


def _latest(entries: Sequence[Mapping[str, Any]], day_field: str) -> Mapping[str, Any] | None:
    return max(entries, key=lambda entry: (entry[day_field], entry["arrival"]), default=None)


def plan_item_now(row: Mapping[str, Any]) -> PlanItemNow | None:
    """The item as it stands; None until its `ActionPlanItemAdded` has arrived.

    A progress that arrived first is kept and applies once the item arrives. The first
    `ActionPlanItemAdded` by arrival describes the item, as in reporting (a re-send changes nothing).
    """
    added = row.get("added")
    if added is None:
        return None
    latest = _latest(row.get("progress", []), "changed_on")
    return PlanItemNow(
        item_id=row["_id"],
        federation=added.get("federation"),
        sector=added["sector"],
        kind=added["kind"],
        period=added["period"],
        title=added["title"],
        responsible=added["responsible"],
        due_on=date.fromisoformat(added["due_on"]),
        status=PlanItemStatus(latest["status"]) if latest else PlanItemStatus.PLANNED,
    )


def case_now(row: Mapping[str, Any]) -> CaseNow | None:
    """The case's current stage, the day it entered it and that stage's statutory deadline.

    A case enters `bipartite` on its `reported_on` unless a progress to `bipartite` says otherwise;
    the current stage is the latest progress by (`changed_on`, arrival), the report's implicit
    bipartite entry counting as earlier than any progress of the same day. None while neither the
    report nor a progress has arrived.
    """
    report = row.get("report")
    entries: list[Mapping[str, Any]] = [
        {"stage": entry["stage"], "changed_on": entry["changed_on"], "arrival": (1, entry["arrival"])} for entry in row.get("progress", [])
    ]
    if report is not None and not any(entry["stage"] == CaseStage.BIPARTITE for entry in entries):
        entries.append({"stage": CaseStage.BIPARTITE.value, "changed_on": report["reported_on"], "arrival": (0, report["arrival"])})
    latest = _latest(entries, "changed_on")
    if latest is None:
        return None
    stage = CaseStage(latest["stage"])
    entered_on = date.fromisoformat(latest["changed_on"])
    return CaseNow(
        federation=row["federation"],
        case_id=row["case_id"],
        sector=report["sector"] if report else None,
        category=report["category"] if report else None,
        region_code=report["region_code"] if report else None,
        stage=stage,
        entered_on=entered_on,
        deadline=stage_deadline(stage, entered_on),
        open=row.get("closed_on") is None,
    )


_WORKPLACE_FIELDS = ("sector", "region_code", "employer", "cba", "cba_expires_on")


def workplace_now(row: Mapping[str, Any]) -> WorkplaceNow:
    """The registration (the latest by arrival) with every update laid over it by (`changed_on`, arrival).

    An update only names what changed, so a field it leaves out keeps its earlier value.
    """
    current: dict[str, Any] = dict.fromkeys(_WORKPLACE_FIELDS)
    registered = row.get("registered")
    if registered is not None:
        current.update({name: registered.get(name) for name in _WORKPLACE_FIELDS})
    for update in sorted(row.get("updates", []), key=lambda entry: (entry["changed_on"], entry["arrival"])):
        current.update({name: value for name, value in update.items() if name in _WORKPLACE_FIELDS and value is not None})
    expires = current["cba_expires_on"]
    return WorkplaceNow(
        federation=row["federation"],
        workplace_id=row["workplace_id"],
        sector=current["sector"],
        region_code=current["region_code"],
        employer=current["employer"],
        cba=CbaStatus(current["cba"]) if current["cba"] else None,
        cba_expires_on=date.fromisoformat(expires) if expires else None,
    )
