"""Reference data of the v1 contract (docs/contract.md, "Reference data").

Enum values are the wire values; labels are what organisers read, Bahasa Indonesia first.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from organising_shared.digits import has_non_ascii_digits


class Sector(StrEnum):
    CHEMICAL = "chemical"
    GARMENT_TEXTILE = "garment_textile"
    AUTOMOTIVE = "automotive"
    METAL = "metal"
    CEMENT = "cement"

    @property
    def label_id(self) -> str:
        return _SECTOR_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _SECTOR_LABELS[self][1]


_SECTOR_LABELS: dict[Sector, tuple[str, str]] = {
    Sector.CHEMICAL: ("Kimia", "Chemical"),
    Sector.GARMENT_TEXTILE: ("Garmen–Tekstil", "Garment–Textile"),
    Sector.AUTOMOTIVE: ("Otomotif, Mesin & Komponen", "Automotive Machinery & Components"),
    Sector.METAL: ("Logam", "Metal"),
    Sector.CEMENT: ("Semen", "Cement"),
}


class EmploymentStatus(StrEnum):
    PERMANENT = "permanent"  # PKWTT
    FIXED_TERM = "fixed_term"  # PKWT
    OUTSOURCED = "outsourced"
    DAILY = "daily"  # harian lepas
    OTHER = "other"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNSPECIFIED = "unspecified"


class AgeBand(StrEnum):
    UNDER_25 = "under_25"
    AGE_25_34 = "25_34"
    AGE_35_44 = "35_44"
    AGE_45_PLUS = "45_plus"
    UNSPECIFIED = "unspecified"


class LeaveReason(StrEnum):
    RESIGNED = "resigned"
    DISMISSED = "dismissed"
    CONTRACT_ENDED = "contract_ended"
    TRANSFERRED = "transferred"
    DECEASED = "deceased"
    OTHER = "other"


class ViolationCategory(StrEnum):
    MINIMUM_WAGE = "minimum_wage"
    FIXED_TERM_CONTRACT = "fixed_term_contract"
    OUTSOURCING = "outsourcing"
    UNION_BUSTING = "union_busting"
    HOLIDAY_ALLOWANCE = "holiday_allowance"  # THR
    SOCIAL_SECURITY = "social_security"  # BPJS
    OVERTIME = "overtime"
    SEVERANCE = "severance"
    OCCUPATIONAL_SAFETY = "occupational_safety"
    OTHER = "other"


class CaseStage(StrEnum):
    BIPARTITE = "bipartite"
    MEDIATION = "mediation"
    CONCILIATION = "conciliation"
    ARBITRATION = "arbitration"
    LABOUR_INSPECTION = "labour_inspection"
    INDUSTRIAL_COURT = "industrial_court"
    SUPREME_COURT = "supreme_court"
    POLICE_REPORT = "police_report"


class CaseOutcome(StrEnum):
    WON = "won"
    SETTLED = "settled"
    PARTIALLY_WON = "partially_won"
    LOST = "lost"
    WITHDRAWN = "withdrawn"

    @property
    def is_resolved(self) -> bool:
        """Counts toward `cases_resolved` (docs/contract.md, "Counting rules")."""
        return self in RESOLVED_OUTCOMES


RESOLVED_OUTCOMES = frozenset({CaseOutcome.WON, CaseOutcome.SETTLED, CaseOutcome.PARTIALLY_WON})


class PlanItemKind(StrEnum):
    """What an action plan item (rencana aksi) promises (docs/contract.md, "v1 additions")."""

    RECRUITMENT_DRIVE = "recruitment_drive"
    UNION_UNIT_FORMATION = "union_unit_formation"
    TRAINING = "training"
    CAMPAIGN = "campaign"
    ADVOCACY = "advocacy"
    BARGAINING = "bargaining"
    RESEARCH = "research"
    OTHER = "other"


class PlanItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    POSTPONED = "postponed"
    DROPPED = "dropped"

    @property
    def is_settled(self) -> bool:
        """A done or dropped item can no longer be overdue."""
        return self in (PlanItemStatus.DONE, PlanItemStatus.DROPPED)


class ActivityKind(StrEnum):
    TRAINING = "training"
    WORKSHOP = "workshop"
    ORGANISING_MEETING = "organising_meeting"
    CAMPAIGN_ACTION = "campaign_action"
    BARGAINING_SESSION = "bargaining_session"
    OTHER = "other"


class CbaStatus(StrEnum):
    """Whether a collective agreement (PKB) covers a workplace."""

    NONE = "none"
    NEGOTIATING = "negotiating"
    IN_FORCE = "in_force"


class Metric(StrEnum):
    MEMBERS_RECRUITED = "members_recruited"
    UNION_UNITS_ESTABLISHED = "union_units_established"
    CASES_RESOLVED = "cases_resolved"


MILESTONES = (25, 50, 75, 100)

FEDERATION_CODE_PATTERN = r"^[A-Z][A-Z0-9-]{1,15}$"
# [0-9], not \d: \d matches every script's digits, and "３２" must not pass for "32".
REGION_CODE_PATTERN = r"^[0-9]{2}(\.[0-9]{2})?$"

# The demo configuration: KSPI's federations. Operators replace it with ORGANISING_FEDERATIONS.
DEFAULT_FEDERATIONS = ("FSPMI", "SPN", "KEP", "FARKES-R", "ASPEK", "FSP-ISI", "FSP-PAR", "FSPPI")

# Kemendagri province codes: 38 provinces, Papua as recoded in 2022 (Kepmendagri 100.1.1-6117).
PROVINCE_CODES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

_REGION_RE = re.compile(REGION_CODE_PATTERN, re.ASCII)
_FEDERATION_RE = re.compile(FEDERATION_CODE_PATTERN, re.ASCII)


@lru_cache(maxsize=8192)
def region_problem(code: str) -> str | None:
    """Why `code` is not a Kemendagri province or regency/city code, or None when it is one.

    Remembered: every event is checked, and a few hundred codes recur. The reason never
    repeats the code: it is logged and returned, and a NIK typed into the field would be too."""
    if not _REGION_RE.fullmatch(code):
        if has_non_ascii_digits(code):
            return "region_code must be written with the digits 0-9, like '32' or '32.16'"
        return "region_code is not a Kemendagri code like '32' or '32.16'"
    province, _, regency = code.partition(".")
    if province not in PROVINCE_CODES:
        return "region_code names no Indonesian province"
    if regency == "00":
        return "region_code names no regency or city"
    return None


def province_of(code: str) -> str:
    return code.split(".", 1)[0]


def federation_code_problem(code: str) -> str | None:
    if not _FEDERATION_RE.fullmatch(code):
        return f"federation code must match {FEDERATION_CODE_PATTERN}"
    return None
