"""Violation cases one by one (docs/contract.md, v1 additions): the list with its filters and
pages, the detail with its stage timeline and statutory deadlines around weekends and Indonesian
public holidays, scoping, and a rebuild giving the same answers. Real broker and store."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from organising_shared.auth import Role
from organising_shared.deadlines import working_days_until
from organising_shared.periods import jakarta_today
from reporting.api.exports import CASES_SHEET
from reporting.projection.generations import current_generation
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, issue, publish, running_service

pytestmark = pytest.mark.integration


def rows_of(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content))[CASES_SHEET].iter_rows(values_only=True))


async def _applied(settings, count: int) -> bool:
    return await applied_offsets(settings) >= count


async def _all_pages(client, headers, **params) -> list[dict]:
    cases, after = [], None
    while True:
        query = {**params, "limit": 1} | ({"after": after} if after else {})
        body = (await client.get("/api/v1/violations", params=query, headers=headers)).json()
        cases += body["cases"]
        after = body["next_after"]
        if after is None:
            return cases


def scenario() -> tuple[list[dict], list[dict]]:
    tie = "2026-07-10"
    first = [
        # Enters mediation on Friday 14 August 2026, right before Independence Day (Monday 17th)
        # and with the Prophet's Birthday (Tuesday 25th) inside its 30 working days.
        b.violation_reported("c-aug", on="2026-08-03"),
        b.case_progressed("c-aug", "mediation", on="2026-08-14"),
        # Reported on Wednesday 18 March 2026: Nyepi (Thursday 19th), Idul Fitri (Saturday 21st and
        # Sunday 22nd), Good Friday (3 April) and Labour Day (1 May) fall in its bipartite stage.
        b.violation_reported("c-fitri", on="2026-03-18", category="holiday_allowance", workers=12),
        b.case_closed("c-fitri", "won", on="2026-04-10", recovered=5_000_000),
        # Another federation's case at a stage without a statutory limit.
        b.violation_reported("c-spn", on="2026-10-01", federation="SPN", sector="garment_textile", workplace="wp-spn"),
        b.case_progressed("c-spn", "labour_inspection", on="2026-10-05", federation="SPN"),
        # Progress out of order, before the report: conciliation (10 July) arrives before mediation
        # (1 July), and arbitration on the same 10 July arrives after conciliation: by (changed_on,
        # arrival) the case is in arbitration since 10 July.
        b.case_progressed("c-order", "conciliation", on=tie),
        b.case_progressed("c-order", "mediation", on="2026-07-01"),
        b.case_progressed("c-order", "arbitration", on=tie),
    ]
    later = [b.violation_reported("c-order", on="2026-06-20", sector="cement", workplace="wp-cement")]
    return first, later


async def test_case_list_and_detail_with_deadlines_scoped_and_rebuilt_alike(reporting_settings, infrastructure):
    first, later = scenario()
    today = jakarta_today()
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, first)
        database = client.app.state.reporting_database
        generation = await current_generation(database)
        await eventually(lambda: generation.cases.find_one({"_id": "c-order"}), what="progress stored before its report")
        assert (await client.get("/api/v1/violations/c-order", headers=ADMIN)).status_code == 404  # not reported yet
        await publish(reporting_settings, [*later, first[1]])  # and the mediation progress of c-aug sent again
        await eventually(lambda: _applied(reporting_settings, len(first) + len(later) + 1), what="every record applied")

        body = (await client.get("/api/v1/violations", headers=ADMIN)).json()
        cases = {case["case_id"]: case for case in body["cases"]}
        assert set(cases) == {"c-aug", "c-fitri", "c-spn", "c-order"}
        aug = cases["c-aug"]
        assert (aug["stage"], aug["stage_entered_on"], aug["deadline"], aug["state"]) == ("mediation", "2026-08-14", "2026-09-29", "open")
        assert aug["overdue"] is (today > date(2026, 9, 29))
        assert aug["working_days_left"] == working_days_until(today, date(2026, 9, 29))
        assert aug["working_days_left"] < 0  # today (2026-11-28 or later) is past it
        fitri = cases["c-fitri"]
        assert (fitri["stage"], fitri["deadline"], fitri["state"], fitri["closed_on"], fitri["outcome"]) == (
            "bipartite",
            "2026-05-04",
            "closed",
            "2026-04-10",
            "won",
        )
        assert (fitri["overdue"], fitri["working_days_left"], fitri["recovered_idr"], fitri["workers_benefited"]) == (
            False,
            None,
            5_000_000,
            30,
        )
        spn = cases["c-spn"]
        assert (spn["stage"], spn["deadline"], spn["overdue"], spn["working_days_left"]) == ("labour_inspection", None, False, None)
        order = cases["c-order"]
        assert (order["stage"], order["stage_entered_on"], order["federation"], order["sector"]) == (
            "arbitration",
            "2026-07-10",
            "FSPMI",
            "cement",
        )
        assert (order["workplace_id"], order["reported_on"]) == ("wp-cement", "2026-06-20")
        # Earliest deadline first, no deadline last.
        assert [case["case_id"] for case in body["cases"]] == ["c-fitri", "c-order", "c-aug", "c-spn"]
        assert body["next_after"] is None

        detail = (await client.get("/api/v1/violations/c-aug", headers=ADMIN)).json()
        assert detail["timeline"] == [
            # Bipartite from 3 August (Monday) to 14 August: 9 working days used.
            {"stage": "bipartite", "entered_on": "2026-08-03", "deadline": "2026-09-16", "left_on": "2026-08-14", "working_days_used": 9},
            {
                "stage": "mediation",
                "entered_on": "2026-08-14",
                "deadline": "2026-09-29",
                "left_on": None,
                "working_days_used": working_days_until(date(2026, 8, 14), today),
            },
        ]
        fitri_detail = (await client.get("/api/v1/violations/c-fitri", headers=ADMIN)).json()
        # 20 March (1), 23-27 (6), 30 March-2 April (10), 6-10 April (15).
        assert fitri_detail["timeline"] == [
            {"stage": "bipartite", "entered_on": "2026-03-18", "deadline": "2026-05-04", "left_on": "2026-04-10", "working_days_used": 15}
        ]
        order_detail = (await client.get("/api/v1/violations/c-order", headers=ADMIN)).json()
        assert [(step["stage"], step["entered_on"], step["left_on"]) for step in order_detail["timeline"]] == [
            ("bipartite", "2026-06-20", "2026-07-01"),
            ("mediation", "2026-07-01", "2026-07-10"),
            ("conciliation", "2026-07-10", "2026-07-10"),
            ("arbitration", "2026-07-10", None),
        ]
        assert order_detail["timeline"][2]["working_days_used"] == 0

        async def ids(**params) -> list[str]:
            response = await client.get("/api/v1/violations", params=params, headers=ADMIN)
            assert response.status_code == 200, response.text
            return sorted(case["case_id"] for case in response.json()["cases"])

        assert await ids(state="open") == ["c-aug", "c-order", "c-spn"]
        assert await ids(state="closed") == ["c-fitri"]
        assert await ids(overdue="true") == ["c-aug", "c-order"]  # c-order's arbitration deadline (2026-08-24) has passed too
        assert await ids(overdue="false") == ["c-fitri", "c-spn"]
        assert await ids(stage="mediation") == ["c-aug"]
        assert await ids(sector="cement") == ["c-order"]
        assert await ids(federation="SPN") == ["c-spn"]
        assert await ids(period="2026-Q1") == ["c-fitri"]
        assert await ids(period="2026-Q2") == ["c-fitri", "c-order"]  # c-fitri open until 10 April
        assert await ids(period="2026-Q3") == ["c-aug", "c-order"]  # c-order still open
        assert await ids(period="2026-S2", state="open", overdue="true") == ["c-aug", "c-order"]
        assert [case["case_id"] for case in await _all_pages(client, ADMIN)] == [case["case_id"] for case in body["cases"]]
        bad = await client.get("/api/v1/violations", params={"after": "not-a-cursor"}, headers=ADMIN)
        assert bad.status_code == 422 and "after" in bad.json()["detail"]
        assert (await client.get("/api/v1/violations", params={"state": "pending"}, headers=ADMIN)).status_code == 422
        assert (await client.get("/api/v1/violations", params={"limit": 0}, headers=ADMIN)).status_code == 422
        # The summary route is not taken for a case id.
        summary = await client.get("/api/v1/violations/summary", params={"period": "2026"}, headers=ADMIN)
        assert summary.status_code == 200 and summary.json()["cases_reported"] == 4
        assert summary.json()["by_stage"]["arbitration"] == {"open": 1, "closed": 0}

        # Scoping.
        fspmi = await issue(reporting_settings, Role.FEDERATION, "FSPMI")
        own = (await client.get("/api/v1/violations", headers=fspmi)).json()
        assert sorted(case["case_id"] for case in own["cases"]) == ["c-aug", "c-fitri", "c-order"]
        assert (await client.get("/api/v1/violations/c-spn", headers=fspmi)).status_code == 403
        assert (await client.get("/api/v1/violations", params={"federation": "SPN"}, headers=fspmi)).status_code == 403
        assert (await client.get("/api/v1/violations/c-aug", headers=fspmi)).json() == detail
        spn_token = await issue(reporting_settings, Role.FEDERATION, "SPN")
        assert (await client.get("/api/v1/violations/c-aug", headers=spn_token)).status_code == 403
        assert (await client.get("/api/v1/violations/c-spn", headers=spn_token)).status_code == 200
        viewer = await issue(reporting_settings, Role.VIEWER)
        assert (await client.get("/api/v1/violations", headers=viewer)).status_code == 403
        assert (await client.get("/api/v1/violations/c-aug", headers=viewer)).status_code == 403
        assert (await client.get("/api/v1/violations/c-nowhere", headers=ADMIN)).status_code == 404
        assert (await client.get("/api/v1/violations")).status_code == 401

        # The semester export: open cases with their deadlines, counted for everyone, listed for whom may read them.
        for headers, listed in ((ADMIN, {"c-aug", "c-order", "c-spn"}), (fspmi, {"c-aug", "c-order"}), (viewer, set())):
            response = await client.get("/api/v1/exports/2026-S2.xlsx", headers=headers)
            assert response.status_code == 200
            rows = list(load_workbook(io.BytesIO(response.content))[CASES_SHEET].iter_rows(values_only=True))
            assert {row[0] for row in rows if str(row[0]).startswith("c-")} == listed
            assert ("Garmen–Tekstil", "labour_inspection", 1, 0) in [row[:4] for row in rows]
            assert ("Semen", "arbitration", 1, 1) in [row[:4] for row in rows]
        [aug_row] = [row for row in rows_of(await client.get("/api/v1/exports/2026-S2.xlsx", headers=fspmi)) if row[0] == "c-aug"]
        assert aug_row[9:12] == ("2026-09-29", aug["working_days_left"], "Ya / Yes")

        details = {case_id: (await client.get(f"/api/v1/violations/{case_id}", headers=ADMIN)).json() for case_id in cases}
        result = await rebuild(reporting_settings)
        assert result.generation != generation.name
        rebuilt = (await client.get("/api/v1/violations", headers=ADMIN)).json()
        assert rebuilt["cases"] == body["cases"]
        assert {case_id: (await client.get(f"/api/v1/violations/{case_id}", headers=ADMIN)).json() for case_id in cases} == details
