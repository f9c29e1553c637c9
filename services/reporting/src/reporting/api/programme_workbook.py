"""The programme report as an XLSX workbook a programme officer can send as it is.

Sheets: a cover (programme, partners, period, scope, when it was generated, notes), the
indicators (one row each: Indonesian label, English label, value, and a stable `key` that names
the figure in the JSON report), and the indicators by sector. Cells under 5 people are "<5" for
every role but admin, as in the semester export.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from organising_shared.reference import EmploymentStatus, Gender, Sector
from reporting.api.exports import LABELS, SUPPRESSED, _SheetWriter
from reporting.read_model.breakdowns import SMALL_CELL


def _id(code: str) -> str:
    return LABELS[code].split(" / ")[0]


def _en(code: str) -> str:
    return LABELS[code].split(" / ")[1]


# key (a path in the JSON report) → (Bahasa Indonesia, English)
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("trainings.activities", "Pelatihan & lokakarya", "Trainings & workshops"),
    ("trainings.person_days", "Hari-orang pelatihan", "Training person-days"),
    ("trainings.participants.total", "Peserta pelatihan", "Training participants"),
    ("trainings.participants.female", "Peserta perempuan", "Female participants"),
    ("trainings.participants.male", "Peserta laki-laki", "Male participants"),
    ("trainings.participants.unspecified", "Peserta (jenis kelamin tidak disebut)", "Participants (gender unspecified)"),
    ("trainings.women_share", "Porsi perempuan", "Women's share"),
    ("trainings.cadres_trained", "Kader terlatih", "Cadres trained"),
    ("activities.activities", "Semua kegiatan", "All activities"),
    ("activities.participants.total", "Peserta semua kegiatan", "Participants in all activities"),
    ("members_recruited.total", "Anggota baru", "New members"),
    *((f"members_recruited.by_gender.{g.value}", f"Anggota baru — {_id(g)}", f"New members — {_en(g)}") for g in Gender),
    *(
        (f"members_recruited.by_employment_status.{s.value}", f"Anggota baru — {_id(s)}", f"New members — {_en(s)}")
        for s in EmploymentStatus
    ),
    ("union_units_established", "PUK baru terbentuk", "New union units"),
    ("cases.resolved", "Kasus diselesaikan", "Cases resolved"),
    ("cases.recovered_idr", "Dana dipulihkan (Rp)", "Money recovered (IDR)"),
    ("cases.workers_benefited", "Pekerja yang mendapat manfaat", "Workers benefited"),
    ("plan_items.planned", "Butir rencana aksi", "Action plan items"),
    ("plan_items.done", "Butir rencana aksi selesai", "Action plan items done"),
    ("plan_items.overdue", "Butir rencana aksi terlambat", "Action plan items overdue"),
)


def value_at(report: dict[str, Any], key: str) -> Any:
    value: Any = report
    for part in key.split("."):
        value = value[part]
    return value


def _cell(value: Any) -> Any:
    return SUPPRESSED if value is None and not isinstance(value, bool) else value


def indicator_rows(report: dict[str, Any]) -> Iterator[tuple[str, str, Any, str]]:
    for key, label_id, label_en in INDICATORS:
        yield label_id, label_en, value_at(report, key), key


def _cover(out: _SheetWriter, report: dict[str, Any]) -> None:
    programme = report["programme"]
    out.heading(f"Laporan program / Programme report — {programme['name']}")
    out.line("Program / Programme", programme["name"])
    out.line("Kode / Code", programme["code"])
    out.line("Mitra / Partners", "; ".join(programme["partners"]))
    out.line("Periode / Period", f"{programme['period']} ({programme['period_start']} – {programme['period_end']})")
    out.line("Federasi / Federations", ", ".join(programme["federations"]))
    out.line("Sektor / Sectors", ", ".join(f"{Sector(s).label_id} / {Sector(s).label_en}" for s in programme["sectors"]))
    out.line("Dibuat / Generated at", report["as_of"])
    out.heading("Catatan / Notes")
    out.line(
        "Pelatihan / Trainings",
        "Kegiatan jenis pelatihan dan lokakarya / activities of kind training and workshop",
    )
    out.line(
        "Cakupan / Scope",
        "Kegiatan dan rencana aksi yang menyebut program ini, atau tidak menyebut program dan termasuk cakupannya / "
        "activities and plan items naming this programme, or naming none and within its scope",
    )
    if report["suppressed_below"]:
        out.line(
            "Privasi / Privacy",
            f"Sel < {SMALL_CELL} orang ditulis '{SUPPRESSED}' / cells under {SMALL_CELL} people shown as '{SUPPRESSED}'",
        )
    out.widths(26, 100)


def _indicators(out: _SheetWriter, report: dict[str, Any]) -> None:
    out.heading(f"Indikator / Indicators — {report['programme']['code']}, {report['programme']['period']}")
    out.header("Indikator", "Indicator", "Nilai / Value", "Kunci / Key")
    for label_id, label_en, value, key in indicator_rows(report):
        out.line(label_id, label_en, _cell(value), key)
        if key.endswith("women_share"):
            out.sheet.cell(out.row - 1, 3).number_format = "0.0%"  # a share 0..1, shown as a percentage
    out.widths(44, 44, 18, 44)


SECTOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("members_recruited.total", LABELS["members_recruited"]),
    ("union_units_established", LABELS["union_units_established"]),
    ("cases.resolved", LABELS["cases_resolved"]),
    ("cases.recovered_idr", LABELS["recovered_idr"]),
    ("trainings.activities", "Pelatihan / Trainings"),
    ("trainings.participants.total", "Peserta pelatihan / Training participants"),
    ("trainings.participants.female", "Peserta perempuan / Female participants"),
    ("trainings.cadres_trained", "Kader terlatih / Cadres trained"),
    ("plan_items.planned", "Rencana aksi / Plan items"),
    ("plan_items.done", "Selesai / Done"),
)


def _by_sector(out: _SheetWriter, report: dict[str, Any]) -> None:
    out.heading("Menurut sektor / By sector")
    out.line("Pelatihan untuk beberapa sektor hanya dihitung di jumlah total / trainings for several sectors count in the totals only")
    out.header("Sektor / Sector", *(title for _, title in SECTOR_COLUMNS))
    for row in report["by_sector"]:
        sector = Sector(row["sector"])
        out.line(f"{sector.label_id} / {sector.label_en}", *(_cell(value_at(row, key)) for key, _ in SECTOR_COLUMNS))
    out.widths(34, *([18] * len(SECTOR_COLUMNS)))


def render_programme_workbook(report: dict[str, Any]) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Sampul - Cover"
    _cover(_SheetWriter(cover), report)
    _indicators(_SheetWriter(workbook.create_sheet("Indikator - Indicators")), report)
    _by_sector(_SheetWriter(workbook.create_sheet("Sektor - Sectors")), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["INDICATORS", "indicator_rows", "render_programme_workbook", "value_at"]
