"""Words organisers read, Bahasa Indonesia first, English second."""

from __future__ import annotations

from organising_shared.reference import CaseOutcome, CaseStage, Metric, PlanItemKind, PlanItemStatus, Sector, ViolationCategory

Label = tuple[str, str]  # (Bahasa Indonesia, English)

CATEGORY: dict[ViolationCategory, Label] = {
    ViolationCategory.MINIMUM_WAGE: ("upah minimum", "minimum wage"),
    ViolationCategory.FIXED_TERM_CONTRACT: ("kontrak kerja waktu tertentu (PKWT)", "fixed-term contract"),
    ViolationCategory.OUTSOURCING: ("alih daya (outsourcing)", "outsourcing"),
    ViolationCategory.UNION_BUSTING: ("pemberangusan serikat (union busting)", "union busting"),
    ViolationCategory.HOLIDAY_ALLOWANCE: ("tunjangan hari raya (THR)", "holiday allowance (THR)"),
    ViolationCategory.SOCIAL_SECURITY: ("jaminan sosial (BPJS)", "social security (BPJS)"),
    ViolationCategory.OVERTIME: ("lembur", "overtime"),
    ViolationCategory.SEVERANCE: ("pesangon", "severance"),
    ViolationCategory.OCCUPATIONAL_SAFETY: ("keselamatan dan kesehatan kerja (K3)", "occupational safety"),
    ViolationCategory.OTHER: ("lainnya", "other"),
}

OUTCOME: dict[CaseOutcome, Label] = {
    CaseOutcome.WON: ("menang", "won"),
    CaseOutcome.SETTLED: ("selesai dengan kesepakatan", "settled"),
    CaseOutcome.PARTIALLY_WON: ("menang sebagian", "partially won"),
    CaseOutcome.LOST: ("kalah", "lost"),
    CaseOutcome.WITHDRAWN: ("dicabut", "withdrawn"),
}

STAGE: dict[CaseStage, Label] = {
    CaseStage.BIPARTITE: ("bipartit", "bipartite"),
    CaseStage.MEDIATION: ("mediasi", "mediation"),
    CaseStage.CONCILIATION: ("konsiliasi", "conciliation"),
    CaseStage.ARBITRATION: ("arbitrase", "arbitration"),
    CaseStage.LABOUR_INSPECTION: ("pengawasan ketenagakerjaan", "labour inspection"),
    CaseStage.INDUSTRIAL_COURT: ("Pengadilan Hubungan Industrial", "industrial relations court"),
    CaseStage.SUPREME_COURT: ("Mahkamah Agung", "Supreme Court"),
    CaseStage.POLICE_REPORT: ("laporan polisi", "police report"),
}

METRIC: dict[Metric, Label] = {
    Metric.MEMBERS_RECRUITED: ("anggota baru", "members recruited"),
    Metric.UNION_UNITS_ESTABLISHED: ("PUK terbentuk", "union units established"),
    Metric.CASES_RESOLVED: ("kasus terselesaikan", "cases resolved"),
}

PLAN_KIND: dict[PlanItemKind, Label] = {
    PlanItemKind.RECRUITMENT_DRIVE: ("perekrutan anggota", "recruitment drive"),
    PlanItemKind.UNION_UNIT_FORMATION: ("pembentukan PUK", "union unit formation"),
    PlanItemKind.TRAINING: ("pelatihan", "training"),
    PlanItemKind.CAMPAIGN: ("kampanye", "campaign"),
    PlanItemKind.ADVOCACY: ("advokasi", "advocacy"),
    PlanItemKind.BARGAINING: ("perundingan", "bargaining"),
    PlanItemKind.RESEARCH: ("riset", "research"),
    PlanItemKind.OTHER: ("lainnya", "other"),
}

PLAN_STATUS: dict[PlanItemStatus, Label] = {
    PlanItemStatus.PLANNED: ("direncanakan", "planned"),
    PlanItemStatus.IN_PROGRESS: ("sedang berjalan", "in progress"),
    PlanItemStatus.DONE: ("selesai", "done"),
    PlanItemStatus.POSTPONED: ("ditunda", "postponed"),
    PlanItemStatus.DROPPED: ("dibatalkan", "dropped"),
}


def sector(value: str | None) -> Label:
    if value is None:
        return ("sektor tidak diketahui", "unknown sector")
    member = Sector(value)
    return (member.label_id, member.label_en)


def scope(federation: str | None) -> Label:
    """Who a target belongs to: one federation, or the whole confederation."""
    if federation is None:
        return ("seluruh konfederasi", "the whole confederation")
    return (f"federasi {federation}", f"federation {federation}")
