"""The semester evaluation export: a period's figures as CSV and as an Excel workbook.

Both hold the same figures (docs/contract.md targets, and per sector the breakdowns donors ask for:
gender, employment status, age band, federation, violations by category):

- CSV, one figure per row (`period, sector, federation, table, category, measure, value`): easy
  to filter or pivot, stable to parse.
- XLSX, a summary sheet of targets, then one sheet per sector, then the action plan and the
  activities (`export_organising`), headings in Bahasa Indonesia with English beside them.

Cells that count fewer than 5 people are written as "<5" for every role but admin (docs/decisions.md).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.auth import Principal
from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import Period, jakarta_today
from organising_shared.reference import CaseStage, Metric, Sector
from reporting.api.export_organising import OrganisingFigures, activities_sheet, organising_figures, plans_sheet
from reporting.api.workplaces import may_read_record
from reporting.read_model.breakdowns import SMALL_CELL, sector_breakdown
from reporting.read_model.cases import CaseFilter, case_items
from reporting.read_model.density import registered_workplaces, workplaces_report
from reporting.read_model.figures import targets_report

SUPPRESSED = f"<{SMALL_CELL}"
WORKPLACES_SHEET, CASES_SHEET = "Tempat kerja & kepadatan", "Kasus terbuka"
CSV_COLUMNS = ("period", "sector", "federation", "table", "category", "measure", "value")
METRIC_FIELDS = ("target", "actual", "percent", "expected_to_date", "status")
FEDERATION_FIELDS = (
    "members_recruited",
    "members_left",
    "net_membership",
    "union_units_established",
    "cases_reported",
    "cases_resolved",
    "recovered_idr",
)
VIOLATION_FIELDS = ("open", "closed", "workers_affected")
DENSITY_FIELDS = ("workplaces", "active_members", "workforce", "density")
WORKPLACE_COLUMNS = (
    ("federation", "Federasi / Federation"),
    ("workplace_id", "Tempat kerja / Workplace"),
    ("sector", "Sektor / Sector"),
    ("region_code", "Wilayah / Region"),
    ("employer", "Perusahaan / Employer"),
    ("workforce", "Jumlah pekerja / Workforce"),
    ("active_members", "Anggota aktif / Active members"),
    ("density", "Kepadatan / Density"),
    ("cba", "PKB / CBA"),
    ("cba_expires_on", "PKB berakhir / CBA expires"),
)
CASE_COLUMNS = (
    ("case_id", "Kasus / Case"),
    ("federation", "Federasi / Federation"),
    ("sector", "Sektor / Sector"),
    ("workplace_id", "Tempat kerja / Workplace"),
    ("category", "Kategori / Category"),
    ("workers_affected", "Pekerja terdampak / Workers affected"),
    ("reported_on", "Dilaporkan / Reported"),
    ("stage", "Tahap / Stage"),
    ("stage_entered_on", "Masuk tahap / Stage entered"),
    ("deadline", "Batas waktu / Deadline"),
    ("working_days_left", "Sisa hari kerja / Working days left"),
    ("overdue", "Lewat batas / Overdue"),
)

LABELS = {
    "members_recruited": "Anggota baru / New members",
    "members_left": "Anggota keluar / Members left",
    "net_membership": "Pertambahan bersih / Net membership",
    "union_units_established": "PUK terbentuk / Union units formed",
    "cases_reported": "Kasus dilaporkan / Cases reported",
    "cases_resolved": "Kasus diselesaikan / Cases resolved",
    "recovered_idr": "Dana dipulihkan (Rp) / Recovered (IDR)",
    "founding_members": "Anggota pendiri PUK / Founding members",
    "women_on_board": "Perempuan di pengurus PUK / Women on union boards",
    "target": "Target",
    "actual": "Capaian / Actual",
    "percent": "% capaian / % achieved",
    "expected_to_date": "Seharusnya s.d. hari ini / Expected to date",
    "status": "Status",
    "achieved": "Tercapai / Achieved",
    "on_track": "Sesuai jalur / On track",
    "behind": "Tertinggal / Behind",
    "female": "Perempuan / Female",
    "male": "Laki-laki / Male",
    "unspecified": "Tidak disebut / Unspecified",
    "permanent": "Tetap (PKWTT) / Permanent",
    "fixed_term": "Kontrak (PKWT) / Fixed-term",
    "outsourced": "Alih daya / Outsourced",
    "daily": "Harian lepas / Daily",
    "other": "Lainnya / Other",
    "open": "Terbuka / Open",
    "closed": "Ditutup / Closed",
    "workers_affected": "Pekerja terdampak / Workers affected",
    "workplaces": "Tempat kerja / Workplaces",
    "active_members": "Anggota aktif / Active members",
    "workforce": "Jumlah pekerja / Workforce",
    "density": "Kepadatan serikat / Union density",
    "none": "Belum ada / None",
    "negotiating": "Dirundingkan / Negotiating",
    "in_force": "Berlaku / In force",
    "expiring_within_90_days": "Berakhir ≤ 90 hari / Expiring within 90 days",
    "overdue": "Lewat batas / Overdue",
}


@dataclass(frozen=True)
class EvaluationFigures:
    """What one export holds: the targets report, each sector's breakdown, the workplaces report
    (`read_model.density`: its list only holds records the reader may read) and the cases open
    during the period (every one, for the counts; `open_cases` only those the reader may read)."""

    period: str
    as_of: str
    suppressed: bool
    targets: list[dict[str, Any]]
    sectors: dict[str, dict[str, Any]]
    organising: OrganisingFigures | None = None  # plan items and activities (XLSX sheets)
    workplaces: dict[str, Any] = dataclasses.field(default_factory=dict)
    open_case_counts: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    open_cases: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def _nobody(federation: str) -> bool:
    return False


async def evaluation_figures(
    database: AsyncDatabase,
    period: Period,
    *,
    suppress_small: bool,
    today: date,
    readable: Callable[[str], bool] = _nobody,
) -> EvaluationFigures:
    """Every sector, targeted or not: donors compare sectors, including those without a target.

    `readable(federation)` says whose records (workplaces, cases) the reader may see one by one:
    an admin everyone's, a federation its own, a viewer nobody's (aggregates only)."""
    report = await targets_report(database, period, None, today)
    sectors = {
        sector.value: await sector_breakdown(database, period, sector.value, suppress_small=suppress_small, today=today)
        for sector in Sector
    }
    documents, active = await registered_workplaces(database)
    workplaces = workplaces_report(documents, active, today, readable=readable, list_workplaces=True, suppress_small=suppress_small)
    cases = await case_items(database, CaseFilter(period=period, state="open"), today)
    return EvaluationFigures(
        period.code,
        report["as_of"],
        suppress_small,
        report["sectors"],
        sectors,
        workplaces=workplaces,
        open_case_counts=open_case_counts(cases),
        open_cases=[case for case in cases if readable(case["federation"])],
    )


def open_case_counts(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open cases per sector and stage, and how many of them are past their deadline (cases are
    not people: never suppressed)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for case in cases:
        row = counts.setdefault((case["sector"], case["stage"]), {"open": 0, "overdue": 0})
        row["open"] += 1
        row["overdue"] += 1 if case["overdue"] else 0
    order = {sector.value: index for index, sector in enumerate(Sector)}
    stages = {stage.value: index for index, stage in enumerate(CaseStage)}
    return [
        {"sector": sector, "stage": stage, **row}
        for (sector, stage), row in sorted(counts.items(), key=lambda item: (order[item[0][0]], stages[item[0][1]]))
    ]


def _cell(value: Any) -> Any:
    return SUPPRESSED if value is None else value


# ---------- CSV ----------


def csv_rows(figures: EvaluationFigures) -> Iterator[tuple[Any, ...]]:
    period = figures.period
    for row in figures.targets:
        for metric in Metric:
            for field in METRIC_FIELDS:
                value = row["metrics"][metric.value][field]
                yield period, row["sector"], row["federation"] or "", "targets", metric.value, field, "" if value is None else value
    for sector, breakdown in figures.sectors.items():
        for measure, value in breakdown["totals"].items():
            yield period, sector, "", "totals", "", measure, _cell(value)
        for dimension in ("gender", "employment_status", "age_band"):
            for category, value in breakdown["members_recruited_by"][dimension].items():
                yield period, sector, "", dimension, category, "members_recruited", _cell(value)
        for row in breakdown["by_federation"]:
            for measure in FEDERATION_FIELDS:
                yield period, sector, row["federation"], "federations", "", measure, _cell(row[measure])
        for category, counts in breakdown["violations"]["by_category"].items():
            for measure in VIOLATION_FIELDS:
                yield period, sector, "", "violation_categories", category, measure, _cell(counts[measure])
    density = figures.workplaces.get("density") or {}
    for row in density.get("by_sector", []):
        for measure in DENSITY_FIELDS:
            yield period, row["sector"], "", "density", "", measure, _cell(row[measure])
    for row in density.get("by_federation", []):
        for measure in DENSITY_FIELDS:
            yield period, "", row["federation"], "density", "", measure, _cell(row[measure])
    for cba, count in (figures.workplaces.get("cba") or {}).items():
        yield period, "", "", "cba", cba, "workplaces", count
    for row in figures.open_case_counts:
        for measure in ("open", "overdue"):
            yield period, row["sector"], "", "open_cases", row["stage"], measure, row[measure]


def render_csv(figures: EvaluationFigures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(figures))
    return buffer.getvalue()


# ---------- XLSX ----------

_HEADING = Font(bold=True, size=13)
_HEADER = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="A3161A")


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def sheet_title(sector: Sector) -> str:
    # Excel: at most 31 characters, none of []:*?/\ in a sheet name.
    title = sector.label_id
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:31]


class _SheetWriter:
    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.row = 1

    def heading(self, text: str) -> None:
        if self.row > 1:
            self.row += 1
        self.sheet.cell(self.row, 1, text).font = _HEADING
        self.row += 1

    def line(self, *values: Any) -> None:
        for column, value in enumerate(values, start=1):
            self.sheet.cell(self.row, column, value)
        self.row += 1

    def header(self, *titles: str) -> None:
        for column, title in enumerate(titles, start=1):
            cell = self.sheet.cell(self.row, column, title)
            cell.font, cell.fill = _HEADER, _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.row += 1

    def widths(self, *widths: int) -> None:
        for column, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(column)].width = width


def _summary_sheet(sheet: Any, figures: EvaluationFigures) -> None:
    out = _SheetWriter(sheet)
    out.heading(f"Evaluasi target pengorganisasian / Organising targets evaluation — {figures.period}")
    out.line("Data per / As of", figures.as_of)
    if figures.suppressed:
        out.line(
            "Catatan / Note", f"Sel < {SMALL_CELL} orang ditulis '{SUPPRESSED}' / cells under {SMALL_CELL} people shown as '{SUPPRESSED}'"
        )
    out.heading("Target per sektor / Targets by sector")
    out.header("Sektor / Sector", "Federasi / Federation", "Ukuran / Metric", *(_label(field) for field in METRIC_FIELDS))
    for row in figures.targets:
        sector = Sector(row["sector"])
        for metric in Metric:
            values = row["metrics"][metric.value]
            out.line(
                f"{sector.label_id} / {sector.label_en}",
                row["federation"] or "Seluruh federasi / All federations",
                _label(metric.value),
                values["target"],
                values["actual"],
                values["percent"],
                values["expected_to_date"],
                _label(values["status"]),
            )
    if not figures.targets:
        out.line("Belum ada target untuk periode ini / No targets set for this period")
    out.widths(34, 24, 30, 10, 14, 14, 22, 22)


def _table(out: _SheetWriter, title: str, first_column: str, rows: dict[str, Any], measure: str) -> None:
    out.heading(title)
    out.header(first_column, _label(measure))
    for category, value in rows.items():
        out.line(_label(category), _cell(value))


def _sector_sheet(sheet: Any, sector: Sector, breakdown: dict[str, Any], period: str) -> None:
    out = _SheetWriter(sheet)
    out.heading(f"{sector.label_id} / {sector.label_en} — {period}")
    out.heading("Jumlah / Totals")
    out.header("Ukuran / Measure", "Nilai / Value")
    for measure, value in breakdown["totals"].items():
        out.line(_label(measure), _cell(value))
    recruited = breakdown["members_recruited_by"]
    _table(
        out,
        "Anggota baru menurut jenis kelamin / New members by gender",
        "Jenis kelamin / Gender",
        recruited["gender"],
        "members_recruited",
    )
    _table(
        out,
        "Anggota baru menurut status kerja / New members by employment status",
        "Status kerja / Employment status",
        recruited["employment_status"],
        "members_recruited",
    )
    _table(
        out,
        "Anggota baru menurut kelompok umur / New members by age band",
        "Kelompok umur / Age band",
        recruited["age_band"],
        "members_recruited",
    )
    out.heading("Menurut federasi / By federation")
    out.header("Federasi / Federation", *(_label(field) for field in FEDERATION_FIELDS))
    for row in breakdown["by_federation"]:
        out.line(row["federation"], *(_cell(row[field]) for field in FEDERATION_FIELDS))
    out.heading("Pelanggaran menurut kategori / Violations by category")
    out.header("Kategori / Category", *(_label(field) for field in VIOLATION_FIELDS))
    for category, counts in breakdown["violations"]["by_category"].items():
        out.line(_label(category), *(_cell(counts[field]) for field in VIOLATION_FIELDS))
    out.widths(44, 18, 18, 20, 18, 18, 18, 22)


_NO_WORKPLACES: dict[str, Any] = {
    "density": {"by_sector": [], "by_federation": [], "overall": dict.fromkeys(DENSITY_FIELDS, 0)},
    "cba": {},
    "workplaces": [],
}


def _workplaces_sheet(sheet: Any, figures: EvaluationFigures) -> None:
    report = figures.workplaces or _NO_WORKPLACES
    out = _SheetWriter(sheet)
    out.heading(f"Tempat kerja & kepadatan serikat / Workplaces & union density — per {figures.as_of}")
    for title, key, first in (
        ("Menurut sektor / By sector", "by_sector", "Sektor / Sector"),
        ("Menurut federasi / By federation", "by_federation", "Federasi / Federation"),
    ):
        out.heading(title)
        out.header(first, *(_label(name) for name in DENSITY_FIELDS))
        for row in report["density"][key]:
            name = row.get("sector") or row.get("federation")
            label = f"{Sector(name).label_id} / {Sector(name).label_en}" if key == "by_sector" else name
            out.line(label, *(_cell(row[measure]) for measure in DENSITY_FIELDS))
    overall = report["density"]["overall"]
    out.line("Seluruhnya / Overall", *(_cell(overall[measure]) for measure in DENSITY_FIELDS))
    out.heading("Status PKB / Collective agreements")
    out.header("Status", _label("workplaces"))
    for cba, count in report["cba"].items():
        out.line(_label(cba), count)
    out.heading("Daftar tempat kerja / Workplaces")
    out.header(*(title for _, title in WORKPLACE_COLUMNS))
    for row in report["workplaces"]:
        out.line(*(row[name] for name, _ in WORKPLACE_COLUMNS))
    if not report["workplaces"]:
        out.line("Tidak ada tempat kerja yang boleh ditampilkan / No workplace records to show for this token")
    out.widths(30, 24, 18, 12, 30, 16, 16, 14, 14, 16)


def _cases_sheet(sheet: Any, figures: EvaluationFigures) -> None:
    out = _SheetWriter(sheet)
    out.heading(f"Kasus terbuka dan batas waktunya / Open cases and their deadlines — {figures.period}")
    out.line(
        "Catatan / Note", "Kasus yang dilaporkan dalam periode atau masih terbuka selama periode / reported in or open during the period"
    )
    out.heading("Menurut sektor dan tahap / By sector and stage")
    out.header("Sektor / Sector", "Tahap / Stage", _label("open"), _label("overdue"))
    for row in figures.open_case_counts:
        out.line(Sector(row["sector"]).label_id, row["stage"], row["open"], row["overdue"])
    out.heading("Daftar kasus / Cases")
    out.header(*(title for _, title in CASE_COLUMNS))
    for case in figures.open_cases:
        out.line(*(("Ya / Yes" if case[name] else "Tidak / No") if name == "overdue" else case[name] for name, _ in CASE_COLUMNS))
    if not figures.open_cases:
        out.line("Tidak ada kasus yang boleh ditampilkan / No case records to show for this token")
    out.widths(22, 16, 18, 20, 20, 14, 14, 18, 14, 14, 14, 12)


def render_workbook(figures: EvaluationFigures) -> bytes:
    workbook = Workbook()
    _summary_sheet(workbook.active, figures)
    workbook.active.title = "Ringkasan"
    for sector in Sector:
        _sector_sheet(workbook.create_sheet(sheet_title(sector)), sector, figures.sectors[sector.value], figures.period)
    if figures.organising is not None:
        plans_sheet(_SheetWriter(workbook.create_sheet("Rencana aksi")), figures.organising, figures.period, _cell)
        activities_sheet(_SheetWriter(workbook.create_sheet("Kegiatan")), figures.organising, figures.period, _cell)
    _workplaces_sheet(workbook.create_sheet(WORKPLACES_SHEET), figures)
    _cases_sheet(workbook.create_sheet(CASES_SHEET), figures)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------- routes ----------

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PeriodPath = Annotated[str, Path(description="2026, 2026-S1 or 2026-Q3", examples=["2026-S1"])]


def _period(code: str) -> Period:
    try:
        return Period.parse(code)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None


def export_router() -> APIRouter:
    """GET /api/v1/exports/{period}.csv and .xlsx, for every role (small cells hidden but for admins)."""
    router = APIRouter(tags=["exports"])

    async def figures_for(request: Request, principal: Principal, period: str) -> EvaluationFigures:
        # Every role exports the whole confederation (as every role reads GET /api/v1/targets);
        # only admins see cells of fewer than 5 people.
        database, period_value, today = request.app.state.reporting_database, _period(period), jakarta_today()
        figures = await evaluation_figures(
            database,
            period_value,
            suppress_small=not principal.is_admin,
            today=today,
            readable=lambda federation: may_read_record(principal, federation),
        )
        return dataclasses.replace(figures, organising=await organising_figures(database, period_value, principal, today))

    @router.get("/api/v1/exports/{period}.csv", summary="A period's figures, one per row", response_class=Response)
    async def export_csv(request: Request, principal: CurrentPrincipal, period: PeriodPath) -> Response:
        figures = await figures_for(request, principal, period)
        return Response(
            render_csv(figures).encode("utf-8-sig"),  # the BOM makes Excel read UTF-8 (en dashes in labels)
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="evaluasi-{figures.period}.csv"'},
        )

    @router.get("/api/v1/exports/{period}.xlsx", summary="A period's figures as a workbook, one sheet per sector", response_class=Response)
    async def export_xlsx(request: Request, principal: CurrentPrincipal, period: PeriodPath) -> Response:
        figures = await figures_for(request, principal, period)
        return Response(
            render_workbook(figures),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="evaluasi-{figures.period}.xlsx"'},
        )

    return router
