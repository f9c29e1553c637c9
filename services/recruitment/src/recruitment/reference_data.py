"""The reference data a form offers, with the words organisers read (Bahasa Indonesia first).

Served as `GET /api/v1/reference` for the organisers' app: codes are the contract's wire values;
labels are what a person picks from. Province names are the Kemendagri names of
`organising_shared.reference.PROVINCE_CODES` (proper names: the same in both languages).
Regencies and cities are not listed: their names are not in the repository, and no maintained
package we could vouch for provides the Kemendagri list (README, "Reference data").
Federations are listed by code: the configuration names no more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from organising_shared.reference import (
    PROVINCE_CODES,
    ActivityKind,
    AgeBand,
    CaseOutcome,
    CaseStage,
    CbaStatus,
    EmploymentStatus,
    Gender,
    LeaveReason,
    PlanItemKind,
    PlanItemStatus,
    Sector,
    ViolationCategory,
)
from recruitment.config import RecruitmentSettings
from recruitment.organising_schemas import Label, ReferenceData

Words = tuple[str, str]  # (Bahasa Indonesia, English)
Code = TypeVar("Code", bound=str)  # an enum member (its wire value) or a plain code

EMPLOYMENT_STATUS: dict[EmploymentStatus, Words] = {
    EmploymentStatus.PERMANENT: ("Tetap (PKWTT)", "Permanent"),
    EmploymentStatus.FIXED_TERM: ("Kontrak (PKWT)", "Fixed-term"),
    EmploymentStatus.OUTSOURCED: ("Alih daya (outsourcing)", "Outsourced"),
    EmploymentStatus.DAILY: ("Harian lepas", "Daily worker"),
    EmploymentStatus.OTHER: ("Lainnya", "Other"),
}
GENDER: dict[Gender, Words] = {
    Gender.FEMALE: ("Perempuan", "Female"),
    Gender.MALE: ("Laki-laki", "Male"),
    Gender.UNSPECIFIED: ("Tidak disebutkan", "Not stated"),
}
AGE_BAND: dict[AgeBand, Words] = {
    AgeBand.UNDER_25: ("Di bawah 25 tahun", "Under 25"),
    AgeBand.AGE_25_34: ("25–34 tahun", "25–34"),
    AgeBand.AGE_35_44: ("35–44 tahun", "35–44"),
    AgeBand.AGE_45_PLUS: ("45 tahun ke atas", "45 and over"),
    AgeBand.UNSPECIFIED: ("Tidak disebutkan", "Not stated"),
}
LEAVE_REASON: dict[LeaveReason, Words] = {
    LeaveReason.RESIGNED: ("Mengundurkan diri", "Resigned"),
    LeaveReason.DISMISSED: ("Di-PHK", "Dismissed"),
    LeaveReason.CONTRACT_ENDED: ("Kontrak berakhir", "Contract ended"),
    LeaveReason.TRANSFERRED: ("Pindah tempat kerja", "Transferred"),
    LeaveReason.DECEASED: ("Meninggal dunia", "Deceased"),
    LeaveReason.OTHER: ("Lainnya", "Other"),
}
VIOLATION_CATEGORY: dict[ViolationCategory, Words] = {
    ViolationCategory.MINIMUM_WAGE: ("Upah minimum", "Minimum wage"),
    ViolationCategory.FIXED_TERM_CONTRACT: ("Kontrak kerja waktu tertentu (PKWT)", "Fixed-term contracts (PKWT)"),
    ViolationCategory.OUTSOURCING: ("Alih daya (outsourcing)", "Outsourcing"),
    ViolationCategory.UNION_BUSTING: ("Pemberangusan serikat (union busting)", "Union busting"),
    ViolationCategory.HOLIDAY_ALLOWANCE: ("Tunjangan hari raya (THR)", "Holiday allowance (THR)"),
    ViolationCategory.SOCIAL_SECURITY: ("Jaminan sosial (BPJS)", "Social security (BPJS)"),
    ViolationCategory.OVERTIME: ("Lembur", "Overtime"),
    ViolationCategory.SEVERANCE: ("Pesangon", "Severance"),
    ViolationCategory.OCCUPATIONAL_SAFETY: ("Keselamatan dan kesehatan kerja (K3)", "Occupational safety and health"),
    ViolationCategory.OTHER: ("Lainnya", "Other"),
}
CASE_STAGE: dict[CaseStage, Words] = {
    CaseStage.BIPARTITE: ("Bipartit", "Bipartite"),
    CaseStage.MEDIATION: ("Mediasi", "Mediation"),
    CaseStage.CONCILIATION: ("Konsiliasi", "Conciliation"),
    CaseStage.ARBITRATION: ("Arbitrase", "Arbitration"),
    CaseStage.LABOUR_INSPECTION: ("Pengawasan ketenagakerjaan", "Labour inspection"),
    CaseStage.INDUSTRIAL_COURT: ("Pengadilan Hubungan Industrial (PHI)", "Industrial relations court"),
    CaseStage.SUPREME_COURT: ("Mahkamah Agung", "Supreme Court"),
    CaseStage.POLICE_REPORT: ("Laporan polisi", "Police report"),
}
CASE_OUTCOME: dict[CaseOutcome, Words] = {
    CaseOutcome.WON: ("Menang", "Won"),
    CaseOutcome.SETTLED: ("Selesai dengan kesepakatan", "Settled"),
    CaseOutcome.PARTIALLY_WON: ("Menang sebagian", "Partially won"),
    CaseOutcome.LOST: ("Kalah", "Lost"),
    CaseOutcome.WITHDRAWN: ("Dicabut", "Withdrawn"),
}
PLAN_ITEM_KIND: dict[PlanItemKind, Words] = {
    PlanItemKind.RECRUITMENT_DRIVE: ("Perekrutan anggota", "Recruitment drive"),
    PlanItemKind.UNION_UNIT_FORMATION: ("Pembentukan PUK", "Union unit (PUK) formation"),
    PlanItemKind.TRAINING: ("Pelatihan", "Training"),
    PlanItemKind.CAMPAIGN: ("Kampanye", "Campaign"),
    PlanItemKind.ADVOCACY: ("Advokasi", "Advocacy"),
    PlanItemKind.BARGAINING: ("Perundingan PKB", "Collective bargaining"),
    PlanItemKind.RESEARCH: ("Riset", "Research"),
    PlanItemKind.OTHER: ("Lainnya", "Other"),
}
PLAN_ITEM_STATUS: dict[PlanItemStatus, Words] = {
    PlanItemStatus.PLANNED: ("Direncanakan", "Planned"),
    PlanItemStatus.IN_PROGRESS: ("Sedang berjalan", "In progress"),
    PlanItemStatus.DONE: ("Selesai", "Done"),
    PlanItemStatus.POSTPONED: ("Ditunda", "Postponed"),
    PlanItemStatus.DROPPED: ("Dibatalkan", "Dropped"),
}
ACTIVITY_KIND: dict[ActivityKind, Words] = {
    ActivityKind.TRAINING: ("Pelatihan", "Training"),
    ActivityKind.WORKSHOP: ("Lokakarya", "Workshop"),
    ActivityKind.ORGANISING_MEETING: ("Rapat pengorganisasian", "Organising meeting"),
    ActivityKind.CAMPAIGN_ACTION: ("Aksi kampanye", "Campaign action"),
    ActivityKind.BARGAINING_SESSION: ("Sesi perundingan", "Bargaining session"),
    ActivityKind.OTHER: ("Lainnya", "Other"),
}
CBA_STATUS: dict[CbaStatus, Words] = {
    CbaStatus.NONE: ("Belum ada PKB", "No agreement"),
    CbaStatus.NEGOTIATING: ("PKB sedang dirundingkan", "Agreement being negotiated"),
    CbaStatus.IN_FORCE: ("PKB berlaku", "Agreement in force"),
}


def _labels(words: Mapping[Code, Words]) -> list[Label]:
    return [Label(code=str(code), label_id=label_id, label_en=label_en) for code, (label_id, label_en) in words.items()]


def reference_data(settings: RecruitmentSettings) -> ReferenceData:
    return ReferenceData(
        sectors=_labels({sector: (sector.label_id, sector.label_en) for sector in Sector}),
        employment_statuses=_labels(EMPLOYMENT_STATUS),
        genders=_labels(GENDER),
        age_bands=_labels(AGE_BAND),
        leave_reasons=_labels(LEAVE_REASON),
        violation_categories=_labels(VIOLATION_CATEGORY),
        case_stages=_labels(CASE_STAGE),
        case_outcomes=_labels(CASE_OUTCOME),
        plan_item_kinds=_labels(PLAN_ITEM_KIND),
        plan_item_statuses=_labels(PLAN_ITEM_STATUS),
        activity_kinds=_labels(ACTIVITY_KIND),
        cba_statuses=_labels(CBA_STATUS),
        provinces=_labels({code: (name, name) for code, name in PROVINCE_CODES.items()}),
        programmes=_labels({programme.code: (programme.name, programme.name) for programme in settings.programmes}),
        federations=_labels({code: (code, code) for code in settings.federations}),
    )
