"""GET /api/v1/targets from its cache: the same answer as computing it, a PUT seen by the very
next read, a committed batch seen through the change signal (not by the answer growing old), and
remembered token holders forgotten when a token is revoked in this process."""

from __future__ import annotations

import json

import pytest

from organising_shared.auth.principal import Role
from organising_shared.auth.tokens import TokenStore
from organising_shared.mongo import make_mongo_client
from organising_shared.periods import Period, jakarta_today
from reporting import main
from reporting.read_model.figures import targets_report
from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, publish, running_service
from tests.integration.reporting.test_targets_api import GOOD, issue

pytestmark = pytest.mark.integration


def without_as_of(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "as_of"}


async def members_recruited(client, headers, period: str = "2026-S1") -> list[tuple[str, str | None, int, int]]:
    response = await client.get("/api/v1/targets", params={"period": period}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return [
        (e["sector"], e["federation"], e["metrics"]["members_recruited"]["target"], e["metrics"]["members_recruited"]["actual"])
        for e in response.json()["sectors"]
    ]


async def test_the_cached_answer_is_the_computed_one_and_a_put_shows_at_once(reporting_settings, infrastructure):
    events = [b.recruited(f"m{i}", sector="metal" if i % 3 else "chemical", federation="FSPMI" if i % 2 else "SPN") for i in range(9)]
    async with running_service(reporting_settings) as client:
        viewer = await issue(reporting_settings, Role.VIEWER)
        for sector in ("metal", "chemical"):
            assert (await client.put(f"/api/v1/targets/2026-S1/{sector}", json=GOOD, headers=ADMIN)).status_code == 200
        await publish(reporting_settings, events)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), len(events) + 2), what="events projected")
        served = (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=viewer)).json()
        computed = await targets_report(client.app.state.reporting_database, Period.parse("2026-S1"), None, jakarta_today())
        assert without_as_of(served) == without_as_of(computed)
        assert [(e["sector"], e["metrics"]["members_recruited"]["actual"]) for e in served["sectors"]] == [("chemical", 3), ("metal", 6)]
        # Asked again at once (now from the cache): the same bytes, and JSON that reads back the same.
        again = await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=viewer)
        assert json.loads(again.content) == served

        assert (await client.put("/api/v1/targets/2026-S1/metal", json={**GOOD, "members_recruited": 7}, headers=ADMIN)).status_code == 200
        assert await members_recruited(client, viewer) == [("chemical", None, 100, 3), ("metal", None, 7, 6)]


async def test_a_committed_batch_is_seen_through_the_change_signal_not_by_growing_old(reporting_settings, infrastructure, monkeypatch):
    # An hour before any answer counts as old: only the change signal can bring the new figures.
    monkeypatch.setattr(main, "FIGURES_MAX_AGE", 3600.0)
    monkeypatch.setattr(main, "FIGURES_SERVE_STALE_FOR", 3600.0)
    async with running_service(reporting_settings) as client:
        assert (await client.put("/api/v1/targets/2026-S1/metal", json=GOOD, headers=ADMIN)).status_code == 200
        assert await members_recruited(client, ADMIN) == [("metal", None, 100, 0)]
        await publish(reporting_settings, [b.recruited(f"s{i}") for i in range(3)])

        async def seen() -> bool:
            return await members_recruited(client, ADMIN) == [("metal", None, 100, 3)]

        await eventually(seen, what="the committed batch visible in GET /api/v1/targets")


async def test_a_token_revoked_in_this_process_is_refused_at_once(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        viewer = await issue(reporting_settings, Role.VIEWER)
        for _ in range(2):  # the second is answered from the remembered holder
            assert (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=viewer)).status_code == 200
        mongo = make_mongo_client(reporting_settings.mongodb_url)
        try:
            assert await TokenStore(mongo[reporting_settings.auth_database]["tokens"]).revoke("viewer-test") == 1
        finally:
            await mongo.close()
        refused = await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=viewer)
        assert refused.status_code == 401, refused.text


async def _at_least(value, expected):
    return await value >= expected


async def test_the_route_checks_token_and_query_as_declared_routes_do(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        viewer = await issue(reporting_settings, Role.VIEWER)
        for headers in ({}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer"}, {"Authorization": "Bearer org_unknown"}):
            refused = await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=headers)
            declared = await client.get("/api/v1/violations/summary", params={"period": "2026-S1"}, headers=headers)
            assert (refused.status_code, refused.json(), refused.headers.get("www-authenticate")) == (
                declared.status_code,
                declared.json(),
                declared.headers.get("www-authenticate"),
            ), headers
            assert refused.status_code == 401
        # /violations/summary declares `period` as a FastAPI query parameter: the same 422 bodies.
        for params in ({}, {"period": "2026-S9"}, {"period": "S1"}):
            targets = await client.get("/api/v1/targets", params=params, headers=viewer)
            declared = await client.get("/api/v1/violations/summary", params=params, headers=viewer)
            assert targets.status_code == declared.status_code == 422, params
            assert targets.json() == declared.json(), params
        bad_federation = await client.get("/api/v1/targets", params={"period": "2026-S1", "federation": "fspmi"}, headers=viewer)
        assert bad_federation.status_code == 422 and bad_federation.json()["errors"][0]["field"] == "query.federation"
        assert (await client.get("/api/v1/targets", params={"period": "2026-S1", "federation": "FSPMI"}, headers=viewer)).json()[
            "sectors"
        ] == []

        documented = (await client.get("/openapi.json")).json()["paths"]["/api/v1/targets"]["get"]
        assert [(p["name"], p["in"], p["required"]) for p in documented["parameters"]] == [
            ("period", "query", True),
            ("federation", "query", False),
        ]
        assert documented["security"] == [{"HTTPBearer": []}]
