"""Rules from events to notices: pure functions, no I/O.

A notice is what subscribers are told. It carries the facts needed to act (case id, sector,
region, counts, stage, outcome) and never personal data: no member reference, and not the free
text `summary` of a violation report, which a reporter could have filled with names.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from notifications.domain import labels
from organising_shared.events import Event
from organising_shared.reference import CaseOutcome, CaseStage, Metric, ViolationCategory


class NoticeType(StrEnum):
    VIOLATION_REPORTED = "ViolationReported"
    VIOLATION_CASE_CLOSED = "ViolationCaseClosed"
    UNION_UNIT_ESTABLISHED = "UnionUnitEstablished"
    TARGET_MILESTONE_REACHED = "TargetMilestoneReached"
    SECTOR_FALLING_BEHIND = "SectorFallingBehind"
    CASE_STALLED = "CaseStalled"
    # Time-based alerts (domain/alerts.py): raised by the periodic evaluator, not by one event.
    PLAN_ITEM_OVERDUE = "PlanItemOverdue"
    CASE_DEADLINE_NEAR = "CaseDeadlineNear"
    CASE_DEADLINE_PASSED = "CaseDeadlinePassed"
    CBA_EXPIRING = "CbaExpiring"


class Text(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    en: str


class Notice(BaseModel):
    """One thing worth telling people, with the attributes subscriptions filter on."""

    model_config = ConfigDict(frozen=True)

    notice_id: str  # the event's id; for a stalled case, a stable id derived from the case and stall
    notice_type: NoticeType
    urgent: bool
    occurred_at: datetime
    federation: str | None  # whose event; None: the whole confederation (a confederation-wide target)
    sector: str | None
    category: str | None
    title: Text
    message: Text
    facts: dict[str, Any]


class CaseInfo(BaseModel):
    """What the service remembers of a case from its report, to describe and filter later events."""

    case_key: str
    case_id: str
    federation: str
    sector: str
    category: str
    region_code: str
    workers_affected: int
    stage: str | None = None
    open: bool = True
    last_activity_on: date


def case_key(federation: str, case_id: str) -> str:
    # Case ids are each federation's own: two federations may use the same one.
    return f"{federation}:{case_id}"


def notice_for(event: Event, case: CaseInfo | None) -> Notice | None:
    """The notice an event raises, or None for events nobody is notified of."""
    rule = _RULES.get(event.event_type)
    return rule(event, case) if rule else None


def _violation_reported(event: Any, _case: CaseInfo | None) -> Notice:
    data = event.data
    category = ViolationCategory(data.category)
    urgent = category is ViolationCategory.UNION_BUSTING
    cat_id, cat_en = labels.CATEGORY[category]
    sec_id, sec_en = labels.sector(data.sector)
    prefix_id, prefix_en = ("MENDESAK: ", "URGENT: ") if urgent else ("", "")
    return _notice(
        event,
        NoticeType.VIOLATION_REPORTED,
        urgent=urgent,
        sector=data.sector,
        category=category.value,
        title=Text(
            id=f"{prefix_id}Pelanggaran {cat_id} dilaporkan di sektor {sec_id}",
            en=f"{prefix_en}{cat_en.capitalize()} violation reported in the {sec_en} sector",
        ),
        message=Text(
            id=(
                f"{event.federation} melaporkan kasus {data.case_id} ({cat_id}) di sektor {sec_id}, "
                f"wilayah {data.region_code}, pada {data.reported_on.isoformat()}: "
                f"{data.workers_affected} pekerja terdampak."
            ),
            en=(
                f"{event.federation} reported case {data.case_id} ({cat_en}) in the {sec_en} sector, "
                f"region {data.region_code}, on {data.reported_on.isoformat()}: "
                f"{data.workers_affected} workers affected."
            ),
        ),
        facts={
            "case_id": data.case_id,
            "workplace_id": data.workplace_id,
            "region_code": data.region_code,
            "workers_affected": data.workers_affected,
            "women_affected": data.women_affected,
            "reported_on": data.reported_on.isoformat(),
        },
    )


def _violation_case_closed(event: Any, case: CaseInfo | None) -> Notice:
    data = event.data
    outcome_id, outcome_en = labels.OUTCOME[CaseOutcome(data.outcome)]
    sector = case.sector if case else None
    category = case.category if case else None
    sec_id, sec_en = labels.sector(sector)
    recovered_id = recovered_en = ""
    if data.recovered_idr:
        amount = f"{data.recovered_idr:,}".replace(",", ".")
        recovered_id = f" Dana dipulihkan: Rp{amount}."
        recovered_en = f" Recovered: IDR {data.recovered_idr:,}."
    return _notice(
        event,
        NoticeType.VIOLATION_CASE_CLOSED,
        urgent=False,
        sector=sector,
        category=category,
        title=Text(
            id=f"Kasus {data.case_id} ditutup: {outcome_id}",
            en=f"Case {data.case_id} closed: {outcome_en}",
        ),
        message=Text(
            id=f"{event.federation} menutup kasus {data.case_id} (sektor {sec_id}) pada {data.closed_on.isoformat()} dengan hasil {outcome_id}.{recovered_id}",
            en=f"{event.federation} closed case {data.case_id} ({sec_en} sector) on {data.closed_on.isoformat()} as {outcome_en}.{recovered_en}",
        ),
        facts={
            "case_id": data.case_id,
            "outcome": data.outcome,
            "recovered_idr": data.recovered_idr,
            "workers_benefited": data.workers_benefited,
            "closed_on": data.closed_on.isoformat(),
            "region_code": case.region_code if case else None,
        },
    )


def _union_unit_established(event: Any, _case: CaseInfo | None) -> Notice:
    data = event.data
    sec_id, sec_en = labels.sector(data.sector)
    return _notice(
        event,
        NoticeType.UNION_UNIT_ESTABLISHED,
        urgent=False,
        sector=data.sector,
        category=None,
        title=Text(id=f"PUK baru terbentuk di sektor {sec_id}", en=f"New union unit established in the {sec_en} sector"),
        message=Text(
            id=f"{event.federation} membentuk PUK {data.unit_id} di wilayah {data.region_code} pada {data.established_on.isoformat()} dengan {data.founding_members} anggota pendiri.",
            en=f"{event.federation} established union unit {data.unit_id} in region {data.region_code} on {data.established_on.isoformat()} with {data.founding_members} founding members.",
        ),
        facts={
            "unit_id": data.unit_id,
            "workplace_id": data.workplace_id,
            "region_code": data.region_code,
            "founding_members": data.founding_members,
            "women_on_board": data.women_on_board,
            "established_on": data.established_on.isoformat(),
        },
    )


def _target_milestone_reached(event: Any, _case: CaseInfo | None) -> Notice:
    data = event.data
    sec_id, sec_en = labels.sector(data.sector)
    metric_id, metric_en = labels.METRIC[Metric(data.metric)]
    scope_id, scope_en = labels.scope(data.federation)
    return _notice(
        event,
        NoticeType.TARGET_MILESTONE_REACHED,
        urgent=False,
        sector=data.sector,
        category=None,
        federation=data.federation,
        title=Text(
            id=f"Target {metric_id} sektor {sec_id} tercapai {data.milestone}%",
            en=f"{sec_en} {metric_en} target {data.milestone}% reached",
        ),
        message=Text(
            id=f"Periode {data.period}, {scope_id}: {metric_id} {data.actual} dari target {data.target} ({data.milestone}%).",
            en=f"Period {data.period}, {scope_en}: {metric_en} {data.actual} of a target of {data.target} ({data.milestone}%).",
        ),
        facts={"period": data.period, "metric": data.metric, "milestone": data.milestone, "actual": data.actual, "target": data.target},
    )


def _sector_falling_behind(event: Any, _case: CaseInfo | None) -> Notice:
    data = event.data
    sec_id, sec_en = labels.sector(data.sector)
    metric_id, metric_en = labels.METRIC[Metric(data.metric)]
    scope_id, scope_en = labels.scope(data.federation)
    return _notice(
        event,
        NoticeType.SECTOR_FALLING_BEHIND,
        urgent=False,
        sector=data.sector,
        category=None,
        federation=data.federation,
        title=Text(id=f"Sektor {sec_id} tertinggal: {metric_id}", en=f"{sec_en} sector falling behind: {metric_en}"),
        message=Text(
            id=f"Periode {data.period}, {scope_id}: {metric_id} baru {data.actual}, seharusnya {data.expected_to_date} saat ini (target {data.target}).",
            en=f"Period {data.period}, {scope_en}: {metric_en} is {data.actual}, {data.expected_to_date} expected by now (target {data.target}).",
        ),
        facts={
            "period": data.period,
            "metric": data.metric,
            "actual": data.actual,
            "expected_to_date": data.expected_to_date,
            "target": data.target,
        },
    )


_RULES = {
    "ViolationReported": _violation_reported,
    "ViolationCaseClosed": _violation_case_closed,
    "UnionUnitEstablished": _union_unit_established,
    "TargetMilestoneReached": _target_milestone_reached,
    "SectorFallingBehind": _sector_falling_behind,
}

_ENVELOPE_FEDERATION = object()


def _notice(event: Any, notice_type: NoticeType, *, federation: Any = _ENVELOPE_FEDERATION, **fields: Any) -> Notice:
    # Progress events are published by the confederation; whose target it is sits in `data`.
    owner = event.federation if federation is _ENVELOPE_FEDERATION else federation
    return Notice(
        notice_id=str(event.event_id),
        notice_type=notice_type,
        occurred_at=event.occurred_at,
        federation=owner,
        **fields,
    )


_STALL_NAMESPACE = uuid.UUID("0b6a3f7e-5c1d-4e8a-9f2b-7d4c6e1a2b3c")


def stalled_notice(case: CaseInfo, *, today: date, now: datetime) -> Notice:
    """The "case stalled" notice: one per case per stall (the id names the last activity day)."""
    idle_days = (today - case.last_activity_on).days
    sec_id, sec_en = labels.sector(case.sector)
    cat_id, cat_en = labels.CATEGORY[ViolationCategory(case.category)]
    stage_id, stage_en = labels.STAGE[CaseStage(case.stage)] if case.stage else ("laporan awal", "initial report")
    return Notice(
        notice_id=str(uuid.uuid5(_STALL_NAMESPACE, f"{case.case_key}|{case.last_activity_on.isoformat()}")),
        notice_type=NoticeType.CASE_STALLED,
        urgent=False,
        occurred_at=now,
        federation=case.federation,
        sector=case.sector,
        category=case.category,
        title=Text(id=f"Kasus {case.case_id} macet {idle_days} hari", en=f"Case {case.case_id} stalled for {idle_days} days"),
        message=Text(
            id=(
                f"Kasus {case.case_id} ({cat_id}, sektor {sec_id}, {case.federation}) belum bergerak sejak "
                f"{case.last_activity_on.isoformat()}; tahap terakhir: {stage_id}."
            ),
            en=(
                f"Case {case.case_id} ({cat_en}, {sec_en} sector, {case.federation}) has not moved since "
                f"{case.last_activity_on.isoformat()}; last stage: {stage_en}."
            ),
        ),
        facts={
            "case_id": case.case_id,
            "region_code": case.region_code,
            "stage": case.stage,
            "last_activity_on": case.last_activity_on.isoformat(),
            "idle_days": idle_days,
        },
    )
