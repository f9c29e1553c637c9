"""Plain-dict events for the reporting tests, written as a federation system would write them."""

from __future__ import annotations

import uuid
from typing import Any


def event(
    event_type: str,
    data: dict[str, Any],
    *,
    federation: str = "FSPMI",
    event_id: str | None = None,
    occurred_at: str = "2026-03-14T09:30:00+07:00",
) -> dict[str, Any]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": 1,
        "occurred_at": occurred_at,
        "federation": federation,
        "producer": "test-federation-system",
        "data": data,
    }


def recruited(
    member_ref: str,
    *,
    on: str = "2026-03-14",
    sector: str = "metal",
    workplace: str = "wp-1",
    federation: str = "FSPMI",
    gender: str = "female",
    status: str = "permanent",
    region: str = "32.16",
    age_band: str | None = "25_34",
    **kw,
) -> dict[str, Any]:
    data = {
        "member_ref": member_ref,
        "sector": sector,
        "workplace_id": workplace,
        "region_code": region,
        "employment_status": status,
        "gender": gender,
        "recruited_on": on,
    }
    if age_band:
        data["age_band"] = age_band
    return event("MemberRecruited", data, federation=federation, **kw)


def left(
    member_ref: str,
    *,
    on: str = "2026-04-01",
    sector: str = "metal",
    workplace: str = "wp-1",
    federation: str = "FSPMI",
    region: str = "32.16",
    **kw,
) -> dict[str, Any]:
    return event(
        "MemberLeft",
        {"member_ref": member_ref, "sector": sector, "workplace_id": workplace, "region_code": region, "left_on": on, "reason": "resigned"},
        federation=federation,
        **kw,
    )


def unit_established(
    unit_id: str,
    *,
    on: str = "2026-02-20",
    sector: str = "metal",
    workplace: str = "wp-1",
    federation: str = "FSPMI",
    founding: int = 25,
    **kw,
) -> dict[str, Any]:
    return event(
        "UnionUnitEstablished",
        {
            "unit_id": unit_id,
            "sector": sector,
            "workplace_id": workplace,
            "region_code": "32.16",
            "founding_members": founding,
            "women_on_board": 2,
            "established_on": on,
        },
        federation=federation,
        **kw,
    )


def violation_reported(
    case_id: str,
    *,
    on: str = "2026-02-01",
    sector: str = "metal",
    workplace: str = "wp-1",
    federation: str = "FSPMI",
    category: str = "union_busting",
    workers: int = 40,
    **kw,
) -> dict[str, Any]:
    return event(
        "ViolationReported",
        {
            "case_id": case_id,
            "sector": sector,
            "workplace_id": workplace,
            "region_code": "32.16",
            "category": category,
            "workers_affected": workers,
            "women_affected": min(10, workers),
            "reported_on": on,
        },
        federation=federation,
        **kw,
    )


def case_progressed(case_id: str, stage: str, *, on: str = "2026-02-10", federation: str = "FSPMI", **kw) -> dict[str, Any]:
    return event("ViolationCaseProgressed", {"case_id": case_id, "stage": stage, "changed_on": on}, federation=federation, **kw)


def case_closed(
    case_id: str, outcome: str = "won", *, on: str = "2026-05-30", recovered: int = 1_000_000, federation: str = "FSPMI", **kw
) -> dict[str, Any]:
    return event(
        "ViolationCaseClosed",
        {"case_id": case_id, "outcome": outcome, "recovered_idr": recovered, "workers_benefited": 30, "closed_on": on},
        federation=federation,
        **kw,
    )


def key_of(value: dict[str, Any], workplace: str | None = None) -> bytes:
    return (value["data"].get("workplace_id") or workplace or value["data"].get("sector") or "case").encode()


def workplace_registered(
    workplace_id: str,
    *,
    federation: str = "FSPMI",
    sector: str = "metal",
    workforce: int = 100,
    cba: str = "none",
    cba_expires_on: str | None = None,
    **kw,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "workplace_id": workplace_id,
        "sector": sector,
        "region_code": "32.16",
        "employer": f"PT Contoh {workplace_id}",
        "workforce": workforce,
        "cba": cba,
    }
    if cba_expires_on:
        data["cba_expires_on"] = cba_expires_on
    return event("WorkplaceRegistered", data, federation=federation, **kw)


def workplace_updated(workplace_id: str, *, on: str, federation: str = "FSPMI", **changes: Any) -> dict[str, Any]:
    kw = {name: changes.pop(name) for name in ("event_id", "occurred_at") if name in changes}
    return event("WorkplaceUpdated", {"workplace_id": workplace_id, "changed_on": on, **changes}, federation=federation, **kw)
