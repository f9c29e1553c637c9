"""Valid v1 events for the notifications tests, as plain dicts (what a federation system sends)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from organising_shared.periods import jakarta_today
from tests.examples import envelope

TODAY = jakarta_today()  # event dates are Jakarta days, and so is the stalled-case check


def violation_reported(*, federation: str = "FSPMI", case_id: str | None = None, days_ago: int = 0, **overrides: Any) -> dict[str, Any]:
    data = {
        "case_id": case_id or f"case-{uuid.uuid4().hex[:8]}",
        "sector": "cement",
        "workplace_id": "wp-cilacap-0007",
        "region_code": "33.01",
        "category": "union_busting",
        "workers_affected": 40,
        "women_affected": 5,
        "reported_on": (TODAY - timedelta(days=days_ago)).isoformat(),
        "summary": "Pengurus PUK dimutasi setelah pembentukan serikat",
    }
    return envelope("ViolationReported", {**data, **overrides}, federation=federation)


def case_progressed(case_id: str, *, federation: str = "FSPMI", days_ago: int = 0, stage: str = "mediation") -> dict[str, Any]:
    return envelope(
        "ViolationCaseProgressed",
        {"case_id": case_id, "stage": stage, "changed_on": (TODAY - timedelta(days=days_ago)).isoformat()},
        federation=federation,
    )


def case_closed(case_id: str, *, federation: str = "FSPMI", outcome: str = "won") -> dict[str, Any]:
    return envelope(
        "ViolationCaseClosed",
        {"case_id": case_id, "outcome": outcome, "recovered_idr": 150_000_000, "workers_benefited": 40, "closed_on": TODAY.isoformat()},
        federation=federation,
    )


def unit_established(*, federation: str = "FSPMI", sector: str = "metal") -> dict[str, Any]:
    return envelope(
        "UnionUnitEstablished",
        {
            "unit_id": f"puk-{uuid.uuid4().hex[:6]}",
            "sector": sector,
            "workplace_id": "wp-bekasi-0042",
            "region_code": "32.16",
            "founding_members": 25,
            "women_on_board": 2,
            "established_on": TODAY.isoformat(),
        },
        federation=federation,
    )


def milestone_reached(*, federation: str | None = "FSPMI", sector: str = "cement", milestone: int = 50) -> dict[str, Any]:
    data = {"period": "2026-S1", "sector": sector, "metric": "members_recruited", "milestone": milestone, "actual": 600, "target": 1200}
    if federation is not None:
        data["federation"] = federation
    return envelope("TargetMilestoneReached", data, federation="KSPI")


def falling_behind(*, federation: str | None = "FSPMI", sector: str = "cement") -> dict[str, Any]:
    data = {"period": "2026-S1", "sector": sector, "metric": "cases_resolved", "actual": 3, "expected_to_date": 10, "target": 30}
    if federation is not None:
        data["federation"] = federation
    return envelope("SectorFallingBehind", data, federation="KSPI")


def member_recruited() -> dict[str, Any]:
    from tests.examples import member_recruited as example

    return example()


# The organising work (v1 additions): every date explicit, so tests can place them around
# weekends and public holidays.


def plan_item_added(*, due_on: str, item_id: str | None = None, federation: str | None = "FSPMI", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item_id": item_id or f"plan-{(federation or 'kspi').lower()}-{uuid.uuid4().hex[:8]}",
        "period": "2026",
        "sector": "metal",
        "kind": "recruitment_drive",
        "title": "Recruitment drive at Bekasi industrial estates",
        "responsible": "DPW FSPMI Jawa Barat",
        "due_on": due_on,
        "planned_count": 300,
    }
    if federation is not None:
        data["federation"] = federation
    return envelope("ActionPlanItemAdded", {**data, **overrides}, federation=federation or "KSPI")


def plan_item_progressed(
    item_id: str, *, status: str, changed_on: str, federation: str = "FSPMI", note: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"item_id": item_id, "status": status, "changed_on": changed_on}
    if note is not None:
        data["note"] = note
    return envelope("ActionPlanItemProgressed", data, federation=federation)


def case_moved(case_id: str, *, stage: str, changed_on: str, federation: str = "FSPMI") -> dict[str, Any]:
    return envelope("ViolationCaseProgressed", {"case_id": case_id, "stage": stage, "changed_on": changed_on}, federation=federation)


def workplace_registered(
    *, cba: str = "in_force", cba_expires_on: str | None, federation: str = "FSPMI", **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "workplace_id": f"wp-{uuid.uuid4().hex[:8]}",
        "sector": "metal",
        "region_code": "32.16",
        "employer": "PT Contoh Komponen Indonesia",
        "workforce": 1800,
        "cba": cba,
    }
    if cba_expires_on is not None:
        data["cba_expires_on"] = cba_expires_on
    return envelope("WorkplaceRegistered", {**data, **overrides}, federation=federation)


def workplace_updated(workplace_id: str, *, changed_on: str, federation: str = "FSPMI", **changes: Any) -> dict[str, Any]:
    return envelope("WorkplaceUpdated", {"workplace_id": workplace_id, "changed_on": changed_on, **changes}, federation=federation)
