"""Valid request bodies for the intake, with overrides."""

from __future__ import annotations

import uuid
from typing import Any

from tests.log_scan import submitted

NIK = "3216012345670001"
NAME = "Siti Rahayu Wulandari"
PHONE = "+6281234567890"


def new_nik() -> str:
    return submitted("32" + str(uuid.uuid4().int)[:14])


def member(**overrides: Any) -> dict[str, Any]:
    body = {
        "sector": "metal",
        "workplace_id": "wp-bekasi-0042",
        "region_code": "32.16",
        "employment_status": "fixed_term",
        "gender": "female",
        "age_band": "25_34",
        "recruited_on": "2026-03-14",
        "full_name": NAME,
        "phone": PHONE,
        "nik": new_nik(),
    }
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}


def union_unit(**overrides: Any) -> dict[str, Any]:
    body = {
        "sector": "garment_textile",
        "workplace_id": "wp-cikarang-0007",
        "region_code": "32.16",
        "founding_members": 25,
        "women_on_board": 3,
        "established_on": "2026-02-20",
    }
    return {**body, **overrides}


def violation(**overrides: Any) -> dict[str, Any]:
    body = {
        "sector": "automotive",
        "workplace_id": "wp-karawang-0101",
        "region_code": "32.15",
        "category": "union_busting",
        "workers_affected": 40,
        "women_affected": 12,
        "reported_on": "2026-03-01",
        "summary": "PUK officers transferred after the union was registered",
    }
    return {**body, **overrides}


# -- the organising work (docs/contract.md, "v1 additions") ------------------------------------

PROGRAMME = "SASK-APHEDA-2026"  # the demo configuration's programme


def plan_item(**overrides: Any) -> dict[str, Any]:
    body = {
        "period": "2026",
        "sector": "metal",
        "kind": "recruitment_drive",
        "title": "Recruitment drive at Bekasi industrial estates",
        "responsible": "DPW FSPMI Jawa Barat",
        "due_on": "2026-05-31",
        "planned_count": 300,
        "programme": PROGRAMME,
    }
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}


def plan_progress(**overrides: Any) -> dict[str, Any]:
    body = {"status": "in_progress", "changed_on": "2026-04-10", "note": "Two gates visited, leaflets handed out"}
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}


def activity(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "training",
        "title": "Basic organiser training, Bekasi",
        "held_on": "2026-04-18",
        "days": 2,
        "sector": "metal",
        "region_code": "32.16",
        "participants": {"female": 14, "male": 11, "unspecified": 0},
        "cadres_trained": 8,
        "programme": PROGRAMME,
    }
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}


def workplace(**overrides: Any) -> dict[str, Any]:
    body = {
        "workplace_id": "wp-bekasi-0042",
        "sector": "metal",
        "region_code": "32.16",
        "employer": "PT Contoh Komponen Indonesia",
        "workforce": 1800,
        "women_percent": 35,
        "outsourced_percent": 20.5,
        "cba": "negotiating",
    }
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}


def workplace_update(**overrides: Any) -> dict[str, Any]:
    body = {"changed_on": "2026-06-02", "cba": "in_force", "cba_expires_on": "2028-06-01", "workforce": 1900}
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}
