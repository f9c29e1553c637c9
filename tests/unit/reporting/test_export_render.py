"""Rendering the semester evaluation: CSV rows and workbook sheets from a period's figures."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from organising_shared.reference import AgeBand, EmploymentStatus, Gender, Sector, ViolationCategory
from reporting.api.exports import (
    CASES_SHEET,
    CSV_COLUMNS,
    SUPPRESSED,
    WORKPLACES_SHEET,
    EvaluationFigures,
    open_case_counts,
    render_csv,
    render_workbook,
    sheet_title,
)


def metric(target: int, actual: int, status: str) -> dict:
    return {
        "target": target,
        "actual": actual,
        "percent": round(actual * 100 / target, 1) if target else None,
        "expected_to_date": 3,
        "status": status,
    }


def breakdown(female: int | None = 0, male: int | None = 0, permanent: int | None = 0) -> dict:
    """The shape of reporting.read_model.breakdowns.sector_breakdown, with a few figures filled in."""
    return {
        "totals": {"members_recruited": None if female is None else (female or 0) + (male or 0), "members_left": 0, "net_membership": 0},
        "members_recruited_by": {
            "gender": {g.value: 0 for g in Gender} | {"female": female, "male": male},
            "employment_status": {s.value: 0 for s in EmploymentStatus} | {"permanent": permanent},
            "age_band": {a.value: 0 for a in AgeBand},
        },
        "by_federation": [
            {
                "federation": "FSPMI",
                "members_recruited": 7,
                "members_left": None,
                "net_membership": None,
                "union_units_established": 1,
                "cases_reported": 0,
                "cases_resolved": 0,
                "recovered_idr": 0,
            }
        ],
        "violations": {"by_category": {c.value: {"open": 0, "closed": 0, "workers_affected": 0} for c in ViolationCategory}},
    }


def figures(targets: list[dict] | None = None) -> EvaluationFigures:
    sectors = {sector.value: breakdown() for sector in Sector}
    sectors["metal"] = breakdown(female=6, male=None, permanent=9)
    if targets is None:
        targets = [
            {
                "sector": "metal",
                "federation": None,
                "metrics": {
                    "members_recruited": metric(10, 9, "on_track"),
                    "union_units_established": metric(0, 1, "on_track"),
                    "cases_resolved": metric(4, 0, "behind"),
                },
            },
            {
                "sector": "metal",
                "federation": "FSPMI",
                "metrics": {name: metric(2, 2, "achieved") for name in ("members_recruited", "union_units_established", "cases_resolved")},
            },
        ]
    return EvaluationFigures("2026-S1", "2026-03-20T10:00:00+07:00", True, targets, sectors)


def parsed_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_csv_has_one_figure_per_row_under_the_documented_columns():
    header, rows = parsed_csv(render_csv(figures()))
    assert tuple(header) == CSV_COLUMNS

    def value(**match: str) -> list[str]:
        return [row["value"] for row in rows if all(row[key] == wanted for key, wanted in match.items())]

    assert value(sector="metal", federation="", table="targets", category="members_recruited", measure="actual") == ["9"]
    assert value(sector="metal", federation="FSPMI", table="targets", category="cases_resolved", measure="status") == ["achieved"]
    # A zero target has no percentage: an empty cell, not "None".
    assert value(sector="metal", federation="", table="targets", category="union_units_established", measure="percent") == [""]
    assert value(sector="metal", table="gender", category="female") == ["6"]
    assert value(sector="metal", table="gender", category="male") == [SUPPRESSED]
    assert value(sector="metal", table="employment_status", category="permanent") == ["9"]
    assert value(sector="metal", table="federations", federation="FSPMI", measure="net_membership") == [SUPPRESSED]
    # Every sector has its gender and employment rows, targeted or not.
    assert {row["sector"] for row in rows if row["table"] == "gender"} == {sector.value for sector in Sector}
    assert len(value(sector="cement", table="employment_status")) == len(EmploymentStatus)


def test_workbook_has_a_summary_and_one_sheet_per_sector_with_gender_and_employment_tables():
    workbook = load_workbook(io.BytesIO(render_workbook(figures())))
    assert workbook.sheetnames == [
        "Ringkasan",
        "Kimia",
        "Garmen–Tekstil",
        "Otomotif, Mesin & Komponen",
        "Logam",
        "Semen",
        WORKPLACES_SHEET,
        CASES_SHEET,
    ]
    metal = [row for row in workbook["Logam"].iter_rows(values_only=True) if row[0] is not None]
    first_column = [row[0] for row in metal]
    gender_at = first_column.index("Anggota baru menurut jenis kelamin / New members by gender")
    status_at = first_column.index("Anggota baru menurut status kerja / New members by employment status")
    gender = {row[0]: row[1] for row in metal[gender_at + 2 : gender_at + 2 + len(Gender)]}
    status = {row[0]: row[1] for row in metal[status_at + 2 : status_at + 2 + len(EmploymentStatus)]}
    assert gender == {"Perempuan / Female": 6, "Laki-laki / Male": SUPPRESSED, "Tidak disebut / Unspecified": 0}
    assert status["Tetap (PKWTT) / Permanent"] == 9 and status["Alih daya / Outsourced"] == 0
    summary = list(workbook["Ringkasan"].iter_rows(values_only=True))
    assert any(row[0] == "Catatan / Note" for row in summary), "the viewer's copy says small cells are hidden"
    members = [row for row in summary if row[0] == "Logam / Metal" and row[2] == "Anggota baru / New members"]
    assert [row[1] for row in members] == ["Seluruh federasi / All federations", "FSPMI"]
    assert members[0][3:8] == (10, 9, 90.0, 3, "Sesuai jalur / On track")


def test_a_period_without_targets_still_exports_every_sector():
    workbook = load_workbook(io.BytesIO(render_workbook(figures(targets=[]))))
    assert len(workbook.sheetnames) == 1 + len(Sector) + 2
    assert any("No targets set" in str(row[0]) for row in workbook["Ringkasan"].iter_rows(values_only=True))
    _, rows = parsed_csv(render_csv(figures(targets=[])))
    assert not [row for row in rows if row["table"] == "targets"]


def test_sheet_titles_respect_excel_limits():
    for sector in Sector:
        title = sheet_title(sector)
        assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


def _case(case_id: str, sector: str, stage: str, *, overdue: bool, federation: str = "FSPMI") -> dict:
    return {
        "case_id": case_id,
        "federation": federation,
        "sector": sector,
        "workplace_id": "wp-1",
        "category": "overtime",
        "workers_affected": 12,
        "reported_on": "2026-03-03",
        "stage": stage,
        "stage_entered_on": "2026-03-03",
        "deadline": "2026-04-16",
        "working_days_left": -20 if overdue else 3,
        "overdue": overdue,
    }


def test_workplaces_and_open_cases_sheets_and_rows():
    cases = [
        _case("c1", "metal", "mediation", overdue=True),
        _case("c2", "metal", "mediation", overdue=False),
        _case("c3", "cement", "bipartite", overdue=False, federation="SPN"),
    ]
    density_row = {"workplaces": 2, "active_members": None, "workforce": 250, "density": None}
    workplaces = {
        "density": {
            "by_sector": [{"sector": "metal", **density_row}],
            "by_federation": [{"federation": "FSPMI", **density_row}],
            "overall": density_row,
        },
        "cba": {"none": 1, "negotiating": 0, "in_force": 1, "expiring_within_90_days": 1},
        "workplaces": [],
    }
    base = figures()
    counts = open_case_counts(cases)
    assert counts == [
        {"sector": "metal", "stage": "mediation", "open": 2, "overdue": 1},
        {"sector": "cement", "stage": "bipartite", "open": 1, "overdue": 0},
    ]
    filled = EvaluationFigures(
        base.period, base.as_of, True, base.targets, base.sectors, workplaces=workplaces, open_case_counts=counts, open_cases=cases[:1]
    )
    workbook = load_workbook(io.BytesIO(render_workbook(filled)))
    places = list(workbook[WORKPLACES_SHEET].iter_rows(values_only=True))
    assert ("Logam / Metal", 2, SUPPRESSED, 250, SUPPRESSED) in [row[:5] for row in places]
    assert ("Berakhir ≤ 90 hari / Expiring within 90 days", 1) in [row[:2] for row in places]
    open_cases = list(workbook[CASES_SHEET].iter_rows(values_only=True))
    assert ("Logam", "mediation", 2, 1) in [row[:4] for row in open_cases]
    listed = [row for row in open_cases if row[0] in {"c1", "c2", "c3"}]
    assert [(row[0], row[9], row[10], row[11]) for row in listed] == [("c1", "2026-04-16", -20, "Ya / Yes")]
    _, rows = parsed_csv(render_csv(filled))
    assert [
        row["value"] for row in rows if row["table"] == "density" and row["sector"] == "metal" and row["measure"] == "active_members"
    ] == [SUPPRESSED]
    assert [
        row["value"] for row in rows if row["table"] == "open_cases" and row["category"] == "mediation" and row["measure"] == "overdue"
    ] == ["1"]
    assert [row["value"] for row in rows if row["table"] == "cba" and row["category"] == "expiring_within_90_days"] == ["1"]
