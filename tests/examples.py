"""Valid example events, built the way a federation system would write them (plain dicts)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

TODAY = date.today().isoformat()


def envelope(event_type: str, data: dict[str, Any], *, federation: str = "FSPMI", event_id: str | None = None) -> dict[str, Any]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": 1,
        "occurred_at": "2026-03-14T09:30:00+07:00",
        "federation": federation,
        "producer": "fspmi-membership",
        "data": data,
    }


def member_recruited(**overrides: Any) -> dict[str, Any]:
    data = {
        "member_ref": f"m-{uuid.uuid4().hex[:12]}",
        "sector": "metal",
        "workplace_id": "wp-bekasi-0042",
        "region_code": "32.16",
        "employment_status": "permanent",
        "gender": "female",
        "age_band": "25_34",
        "recruited_on": "2026-03-14",
    }
    return envelope("MemberRecruited", {**data, **overrides})
