"""GET /api/v1/exports/{period}.csv and .xlsx on figures consumed from a real broker into a real store."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from organising_shared.auth import Role, TokenStore
from organising_shared.mongo import make_mongo_client
from organising_shared.periods import jakarta_today, periods_containing
from organising_shared.reference import Sector
from reporting.api.exports import CASES_SHEET, CSV_COLUMNS, WORKPLACES_SHEET
from reporting.main import create_app
from tests.examples import envelope, member_recruited
from tests.integration.helpers import as_json, eventually, produce
from tests.integration.reporting.support import ADMIN

pytestmark = pytest.mark.integration

TODAY = jakarta_today()
PERIOD = next(period for period in periods_containing(TODAY) if "-S" in period.code)


def recruit(gender: str, employment_status: str) -> tuple[bytes, bytes]:
    return b"wp-1", as_json(
        member_recruited(sector="metal", gender=gender, employment_status=employment_status, recruited_on=TODAY.isoformat())
    )


async def test_csv_and_workbook_hold_targets_and_donor_breakdowns(reporting_settings, infrastructure):
    bootstrap, topics = infrastructure.kafka_bootstrap_servers, reporting_settings.topics
    target = envelope(
        "SectorTargetSet",
        {
            "period": PERIOD.code,
            "sector": "metal",
            "members_recruited": 20,
            "union_units_established": 2,
            "cases_resolved": 1,
            "set_by": "admin",
        },
        federation="KSPI",
    )
    await produce(bootstrap, topics.targets, [(b"metal", as_json(target))])
    await produce(
        bootstrap, topics.membership, [recruit("female", "permanent") for _ in range(6)] + [recruit("male", "outsourced") for _ in range(2)]
    )
    mongo = make_mongo_client(infrastructure.mongodb_url)
    viewer = await TokenStore(mongo[reporting_settings.auth_database]["tokens"]).issue(
        name="donor-report", role=Role.VIEWER, federation=None
    )
    await mongo.close()

    app = create_app(reporting_settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting") as client,
    ):

        async def all_consumed() -> bool:
            body = (await client.get("/api/v1/targets", params={"period": PERIOD.code}, headers=ADMIN)).json()
            return any(row["metrics"]["members_recruited"]["actual"] == 8 for row in body.get("sectors", []))

        await eventually(all_consumed, what="eight recruits counted")

        assert (await client.get(f"/api/v1/exports/{PERIOD.code}.csv")).status_code == 401
        bad = await client.get("/api/v1/exports/2026-Q5.xlsx", headers=ADMIN)
        assert bad.status_code == 422 and bad.json()["detail"] == "period is not like '2026', '2026-S1' or '2026-Q3'"

        response = await client.get(f"/api/v1/exports/{PERIOD.code}.csv", headers=ADMIN)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert f"evaluasi-{PERIOD.code}.csv" in response.headers["content-disposition"]
        reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        assert tuple(next(reader)) == CSV_COLUMNS
        rows = {tuple(row[:6]): row[6] for row in reader}
        assert rows[(PERIOD.code, "metal", "", "targets", "members_recruited", "target")] == "20"
        assert rows[(PERIOD.code, "metal", "", "targets", "members_recruited", "actual")] == "8"
        assert rows[(PERIOD.code, "metal", "", "targets", "members_recruited", "status")] in {"on_track", "behind"}
        assert rows[(PERIOD.code, "metal", "", "gender", "female", "members_recruited")] == "6"
        assert rows[(PERIOD.code, "metal", "", "gender", "male", "members_recruited")] == "2"
        assert rows[(PERIOD.code, "metal", "", "employment_status", "permanent", "members_recruited")] == "6"
        assert rows[(PERIOD.code, "metal", "", "employment_status", "outsourced", "members_recruited")] == "2"
        assert rows[(PERIOD.code, "metal", "FSPMI", "federations", "", "members_recruited")] == "8"
        assert rows[(PERIOD.code, "cement", "", "gender", "female", "members_recruited")] == "0"

        response = await client.get(f"/api/v1/exports/{PERIOD.code}.xlsx", headers={"Authorization": f"Bearer {viewer}"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == [
        "Ringkasan",
        *(sector.label_id for sector in Sector),
        "Rencana aksi",
        "Kegiatan",
        WORKPLACES_SHEET,
        CASES_SHEET,
    ]
    metal = [row for row in workbook["Logam"].iter_rows(values_only=True) if any(cell is not None for cell in row)]
    by_label = {row[0]: row[1] for row in metal if isinstance(row[0], str)}
    # The viewer's copy: 6 women shown, the 2 men and 2 outsourced workers hidden as small cells.
    assert by_label["Perempuan / Female"] == 6
    assert by_label["Laki-laki / Male"] == "<5"
    assert by_label["Tetap (PKWTT) / Permanent"] == 6
    assert by_label["Alih daya / Outsourced"] == "<5"
    headings = [row[0] for row in metal if len([cell for cell in row if cell is not None]) == 1]
    assert any("jenis kelamin / New members by gender" in str(heading) for heading in headings)
    assert any("status kerja / New members by employment status" in str(heading) for heading in headings)
    summary = list(workbook["Ringkasan"].iter_rows(values_only=True))
    [metal_members] = [row for row in summary if row[0] == "Logam / Metal" and row[2] == "Anggota baru / New members"]
    assert metal_members[3:5] == (20, 8)
