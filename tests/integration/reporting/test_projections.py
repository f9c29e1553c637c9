"""Every counting rule of docs/contract.md, end to end: real broker, real store, the HTTP API, a rebuild."""

from __future__ import annotations

import pytest

from organising_shared.mongo import make_mongo_client
from reporting.projection.generations import current_generation
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, counters, publish, running_service

pytestmark = pytest.mark.integration


def metrics(report: dict, federation: str | None) -> dict:
    [entry] = [entry for entry in report["sectors"] if entry["sector"] == "metal" and entry["federation"] == federation]
    return entry["metrics"]


def scenario() -> tuple[list[dict], list[dict]]:
    """(events, events to send only after the first part is applied)."""
    resent = b.recruited("m2", on="2026-03-02", workplace="wp-2")
    unit_report = b.unit_established("u1", on="2026-02-20")
    first = [
        # m1 at FSPMI: counts, recruited again while active (no), leaves, comes back (counts again).
        b.recruited("m1", on="2026-03-01"),
        b.recruited("m1", on="2026-03-05"),
        b.left("m1", on="2026-04-01"),
        b.recruited("m1", on="2026-04-10"),
        # The same person (pseudonym) in another federation is that federation's member.
        b.recruited("m1", on="2026-03-01", federation="SPN", workplace="wp-spn"),
        # A re-sent event (same event_id) counts once.
        resent,
        resent,
        resent,
        # Outside the period.
        b.recruited("m3", on="2025-12-30"),
        # One member reported at two workplaces (two partitions): counted once, whatever the interleaving.
        b.recruited("m4", on="2026-05-01", workplace="wp-3"),
        b.recruited("m4", on="2026-05-02", workplace="wp-4"),
        # A unit counts once per unit_id, even reported twice with different event ids.
        unit_report,
        b.unit_established("u1", on="2026-02-21"),
        b.unit_established("u2", on="2026-03-01", federation="SPN", workplace="wp-spn"),
        # c1: won, then (a second report of closure) settled: one resolved case.
        b.violation_reported("c1"),
        b.case_progressed("c1", "mediation"),
        b.case_closed("c1", "won"),
        b.case_closed("c1", "settled", on="2026-06-01"),
        # c2: lost: closed, not resolved.
        b.violation_reported("c2", category="minimum_wage"),
        b.case_closed("c2", "lost", recovered=0),
        # c3 (SPN): its closure arrives before its report.
        b.case_closed("c3", "partially_won", federation="SPN", recovered=500),
        # c4: still open.
        b.violation_reported("c4", category="minimum_wage", workers=3),
        # A resolved case of another sector does not count for metal.
        b.violation_reported("c5", sector="cement", workplace="wp-cement"),
        b.case_closed("c5", "won"),
    ]
    later = [b.violation_reported("c3", federation="SPN", workplace="wp-spn", category="severance")]
    return first, later


async def test_every_counting_rule_and_a_rebuild_gives_the_same_figures(reporting_settings, infrastructure):
    first, later = scenario()
    async with running_service(reporting_settings) as client:
        for federation, members, units, cases in ((None, 10, 4, 4), ("FSPMI", 4, 2, 2), ("SPN", 2, 1, 1)):
            body = {"members_recruited": members, "union_units_established": units, "cases_resolved": cases}
            if federation:
                body["federation"] = federation
            response = await client.put("/api/v1/targets/2026-S1/metal", json=body, headers=ADMIN)
            assert response.status_code == 200, response.text
        await publish(reporting_settings, first)
        mongo = make_mongo_client(reporting_settings.mongodb_url)
        database = mongo[reporting_settings.database]
        generation = await current_generation(database)
        await eventually(lambda: generation.cases.find_one({"_id": "c3"}), what="closure of c3 stored before its report")
        await publish(reporting_settings, later)

        sent = 3 + len(first) + len(later)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), sent), what="every record applied")
        report = (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=ADMIN)).json()
        fspmi, spn, everyone = metrics(report, "FSPMI"), metrics(report, "SPN"), metrics(report, None)
        assert {name: m["actual"] for name, m in fspmi.items()} == {
            "members_recruited": 4,
            "union_units_established": 1,
            "cases_resolved": 1,
        }
        assert {name: m["actual"] for name, m in spn.items()} == {"members_recruited": 1, "union_units_established": 1, "cases_resolved": 1}
        assert {name: m["actual"] for name, m in everyone.items()} == {
            "members_recruited": 5,
            "union_units_established": 2,
            "cases_resolved": 2,
        }
        # 2026-S1 is over: expected_to_date is the whole target.
        assert fspmi["members_recruited"] == {"target": 4, "actual": 4, "percent": 100.0, "expected_to_date": 4, "status": "achieved"}
        assert everyone["members_recruited"] == {"target": 10, "actual": 5, "percent": 50.0, "expected_to_date": 10, "status": "behind"}
        assert fspmi["union_units_established"]["status"] == "behind"
        assert [entry["federation"] for entry in report["sectors"]] == [None, "FSPMI", "SPN"]
        only_fspmi = (await client.get("/api/v1/targets", params={"period": "2026-S1", "federation": "FSPMI"}, headers=ADMIN)).json()
        assert [entry["federation"] for entry in only_fspmi["sectors"]] == ["FSPMI"]

        summary = (await client.get("/api/v1/violations/summary", params={"period": "2026-S1", "sector": "metal"}, headers=ADMIN)).json()
        assert summary["by_category"]["union_busting"] == {"open": 0, "closed": 1, "workers_affected": 40}
        assert summary["by_category"]["minimum_wage"] == {"open": 1, "closed": 1, "workers_affected": 43}
        assert summary["by_category"]["severance"]["closed"] == 1
        assert summary["by_stage"]["mediation"] == {"open": 0, "closed": 1}
        assert summary["by_stage"]["bipartite"] == {"open": 1, "closed": 2}
        assert summary["cases_resolved"] == 2
        assert summary["recovered_idr"] == 1_000_000 + 0 + 500

        breakdown = (await client.get("/api/v1/breakdowns/2026-S1/metal", headers=ADMIN)).json()
        assert breakdown["totals"]["members_recruited"] == 5
        assert breakdown["totals"]["members_left"] == 1
        assert breakdown["totals"]["net_membership"] == 4
        assert breakdown["members_recruited_by"]["gender"]["female"] == 5
        assert {row["federation"]: row["members_recruited"] for row in breakdown["by_federation"]} == {"FSPMI": 4, "SPN": 1}
        assert breakdown["violations"]["open_by_age"]["180_days_plus"] + breakdown["violations"]["open_by_age"]["90_179_days"] == 1

        # The cases one by one agree with the counters: c1 closed in mediation, c3 (SPN) counted
        # once its report arrived, c4 open in bipartite.
        cases = (await client.get("/api/v1/violations", params={"sector": "metal"}, headers=ADMIN)).json()["cases"]
        assert {case["case_id"]: (case["federation"], case["stage"], case["state"]) for case in cases} == {
            "c1": ("FSPMI", "mediation", "closed"),
            "c2": ("FSPMI", "bipartite", "closed"),
            "c3": ("SPN", "bipartite", "closed"),
            "c4": ("FSPMI", "bipartite", "open"),
        }
        assert next(case for case in cases if case["case_id"] == "c1")["outcome"] == "won"  # the first closure by closed_on
        workplaces = (await client.get("/api/v1/workplaces", headers=ADMIN)).json()

        live = await counters(reporting_settings)
        result = await rebuild(reporting_settings)
        assert result.previous == generation.name and result.generation != generation.name
        assert await counters(reporting_settings, result.generation) == live
        assert (await client.get("/api/v1/violations", params={"sector": "metal"}, headers=ADMIN)).json()["cases"] == cases
        assert {
            name: value for name, value in (await client.get("/api/v1/workplaces", headers=ADMIN)).json().items() if name != "as_of"
        } == {name: value for name, value in workplaces.items() if name != "as_of"}
        members_at_workplaces = [row async for row in database[f"{generation.name}_workplace_members"].find(sort=[("_id", 1)])]
        assert members_at_workplaces  # every member above is at a workplace, registered or not
        assert [row async for row in database[f"{result.generation}_workplace_members"].find(sort=[("_id", 1)])] == members_at_workplaces
        after = (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=ADMIN)).json()
        assert after["sectors"] == report["sectors"]
        await mongo.close()


async def test_the_live_consumer_follows_a_rebuild_and_keeps_counting(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        await client.put(
            "/api/v1/targets/2026-S1/cement",
            json={"members_recruited": 10, "union_units_established": 0, "cases_resolved": 0},
            headers=ADMIN,
        )
        await publish(reporting_settings, [b.recruited(f"r{i}", sector="cement", workplace=f"wp-{i}") for i in range(20)])

        async def actual():
            report = (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=ADMIN)).json()
            return report["sectors"][0]["metrics"]["members_recruited"]["actual"]

        await eventually(lambda: _equals(actual, 20), what="first 20 counted")
        result = await rebuild(reporting_settings, drop_old=True)
        assert await actual() == 20
        await publish(reporting_settings, [b.recruited(f"s{i}", sector="cement", workplace=f"wp-{i}") for i in range(7)])
        await eventually(lambda: _equals(actual, 27), what="events after the switch counted in the new generation")
        assert (await current_generation(client.app.state.reporting_database)).name == result.generation


async def _equals(read, expected):
    return await read() == expected


async def _at_least(value, expected):
    return await value >= expected
