"""GET /api/v1/programmes/{code}/report and its workbook: the donor indicators over a programme's
period and scope, on events consumed from a real broker into a real store; the workbook opens in
openpyxl and holds the JSON's figures."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from organising_shared.auth.principal import Role
from organising_shared.programmes import DEFAULT_PROGRAMMES, Programme
from reporting.api.programme_workbook import INDICATORS, value_at
from reporting.config import ReportingSettings
from tests.integration.helpers import eventually
from tests.integration.reporting.organising_builders import SASK, issue, plan_scenario, publish_keyed
from tests.integration.reporting.support import ADMIN, applied_offsets, running_service

pytestmark = pytest.mark.integration

NARROW = Programme(
    code="SPN-METAL-S1",
    name="SPN metal organising, first semester",
    partners=("A partner", "KSPI"),
    period="2026-S1",
    federations=("SPN",),
    sectors=("metal",),
)


@pytest.fixture
def programme_settings(reporting_settings) -> ReportingSettings:
    return ReportingSettings(**{**reporting_settings.model_dump(), "programmes": [*DEFAULT_PROGRAMMES, NARROW]})


def workbook_rows(content: bytes, sheet: str) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [row for row in workbook[sheet].iter_rows(values_only=True) if any(cell is not None for cell in row)]


async def _at_least(value, expected):
    return await value >= expected


async def test_the_programme_report_counts_its_scope_and_the_workbook_holds_the_same_figures(programme_settings, infrastructure):
    early, rest, later = plan_scenario()
    async with running_service(programme_settings) as client:
        await publish_keyed(programme_settings, early + rest + later)
        sent = len(early) + len(rest) + len(later)
        await eventually(lambda: _at_least(applied_offsets(programme_settings), sent), what="every record applied")

        listed = (await client.get("/api/v1/programmes", headers=ADMIN)).json()
        assert [programme["code"] for programme in listed["programmes"]] == [SASK, NARROW.code]

        report = (await client.get(f"/api/v1/programmes/{SASK}/report", headers=ADMIN)).json()
        # Trainings: the training (15 people, 2 days, 6 cadres), the several-sector workshop
        # (7 people, 1 day) and the S2 cement training (6 people, 3 days, 6 cadres); the
        # organising meeting is an activity but not a training, 2025's is outside the period.
        assert report["trainings"] == {
            "activities": 3,
            "person_days": 2 * 15 + 7 + 3 * 6,
            "participants": {"female": 19, "male": 8, "unspecified": 1, "total": 28},
            "women_share": round(19 / 28, 4),
            "cadres_trained": 12,
        }
        assert report["activities"]["activities"] == 4
        assert report["members_recruited"]["total"] == 3
        assert report["members_recruited"]["by_gender"] == {"female": 2, "male": 1, "unspecified": 0}
        assert report["members_recruited"]["by_employment_status"]["outsourced"] == 1
        assert report["union_units_established"] == 1
        assert report["cases"] == {"resolved": 1, "recovered_idr": 1_000_000, "workers_benefited": 30}
        assert report["plan_items"] == {"planned": 6, "done": 1, "overdue": 3, "planned_count": 505, "done_count": 100}
        [metal] = [row for row in report["by_sector"] if row["sector"] == "metal"]
        assert metal["trainings"]["activities"] == 1 and metal["plan_items"]["planned"] == 5

        narrow = (await client.get(f"/api/v1/programmes/{NARROW.code}/report", headers=ADMIN)).json()
        # SPN's workshop (several sectors), SPN's and the confederation's metal items due in S1.
        assert narrow["trainings"]["activities"] == 1 and narrow["trainings"]["participants"]["total"] == 7
        assert narrow["members_recruited"]["total"] == 0
        assert narrow["plan_items"]["planned"] == 2
        assert narrow["programme"]["period_start"] == "2026-01-01" and narrow["programme"]["period_end"] == "2026-06-30"

        missing = await client.get("/api/v1/programmes/NO-SUCH-PROGRAMME/report", headers=ADMIN)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/api/v1/programmes/NO-SUCH-PROGRAMME/report.xlsx", headers=ADMIN)).status_code == 404
        assert (await client.get(f"/api/v1/programmes/{SASK}/report")).status_code == 401

        workbook = await client.get(f"/api/v1/programmes/{SASK}/report.xlsx", headers=ADMIN)
        assert workbook.status_code == 200
        assert workbook.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        semester = await client.get("/api/v1/exports/2026-S1.xlsx", headers=ADMIN)
        plans = (await client.get("/api/v1/plans", params={"period": "2026-S1"}, headers=ADMIN)).json()
        activities = (await client.get("/api/v1/activities", params={"period": "2026-S1"}, headers=ADMIN)).json()
        viewer = await issue(programme_settings, Role.VIEWER)
        viewer_report = (await client.get(f"/api/v1/programmes/{SASK}/report", headers=viewer)).json()
        viewer_workbook = await client.get(f"/api/v1/programmes/{SASK}/report.xlsx", headers=viewer)

    assert load_workbook(io.BytesIO(workbook.content)).sheetnames == ["Sampul - Cover", "Indikator - Indicators", "Sektor - Sectors"]
    cover = {row[0]: row[1] for row in workbook_rows(workbook.content, "Sampul - Cover")}
    programme = DEFAULT_PROGRAMMES[0]
    assert cover["Program / Programme"] == programme.name
    assert cover["Mitra / Partners"] == "; ".join(programme.partners)
    assert cover["Periode / Period"] == "2026 (2026-01-01 – 2026-12-31)"
    assert cover["Dibuat / Generated at"] == report["as_of"]
    for content, body in ((workbook.content, report), (viewer_workbook.content, viewer_report)):
        values = {row[3]: row[2] for row in workbook_rows(content, "Indikator - Indicators")[2:]}
        assert list(values) == [key for key, _, _ in INDICATORS]
        assert values == {key: "<5" if value_at(body, key) is None else value_at(body, key) for key, _, _ in INDICATORS}
    # The viewer's copy hides small cells: the one man recruited, the one participant of unspecified gender.
    assert viewer_report["members_recruited"]["by_gender"]["male"] is None
    assert viewer_report["trainings"]["participants"]["unspecified"] is None
    assert viewer_report["trainings"]["participants"]["total"] == 28

    # The semester workbook's plan and activity sheets hold what the API answers.
    plan_rows = workbook_rows(semester.content, "Rencana aksi")
    listed = [row for row in plan_rows if isinstance(row[0], str) and row[0].startswith("plan-")]
    assert [(row[0], row[6], row[10]) for row in listed] == [
        (item["item_id"], item["due_on"], "Ya / Yes" if item["overdue"] else "Tidak / No") for item in plans["items"]
    ]
    summary_at = [row[0] for row in plan_rows].index("Ringkasan / Summary")
    summary = plan_rows[summary_at + 2 : summary_at + 2 + len(plans["summary"])]
    assert [row[2:8] for row in summary] == [
        (r["planned"], r["done"], r["in_progress"], r["postponed"], r["dropped"], r["overdue"]) for r in plans["summary"]
    ]
    activity_rows = workbook_rows(semester.content, "Kegiatan")
    totals = activity_rows[[row[0] for row in activity_rows].index("Jumlah / Totals") + 2]
    expected = activities["totals"]
    assert totals[1:] == (
        expected["activities"],
        expected["person_days"],
        *(expected["participants"][key] for key in ("female", "male", "unspecified", "total")),
        expected["women_share"],
        expected["cadres_trained"],
    )
