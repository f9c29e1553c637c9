"""PUT and GET /api/v1/targets, the violations summary and breakdowns over HTTP, with auth."""

from __future__ import annotations

import json

import pytest

from organising_shared.auth.principal import Role
from organising_shared.auth.tokens import TokenStore
from organising_shared.mongo import make_mongo_client
from reporting.config import ReportingSettings
from tests.integration.helpers import eventually, read_topic
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, publish, running_service

pytestmark = pytest.mark.integration

GOOD = {"members_recruited": 100, "union_units_established": 4, "cases_resolved": 6}


async def issue(settings: ReportingSettings, role: Role, federation: str | None = None) -> dict[str, str]:
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        token = await TokenStore(mongo[settings.auth_database]["tokens"]).issue(name=f"{role.value}-test", role=role, federation=federation)
    finally:
        await mongo.close()
    return {"Authorization": f"Bearer {token}"}


async def test_put_needs_an_admin_and_a_valid_target(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        viewer = await issue(reporting_settings, Role.VIEWER)
        federation = await issue(reporting_settings, Role.FEDERATION, "FSPMI")
        assert (await client.put("/api/v1/targets/2026-S1/metal", json=GOOD)).status_code == 401
        assert (await client.put("/api/v1/targets/2026-S1/metal", json=GOOD, headers={"Authorization": "Bearer nope"})).status_code == 401
        assert (await client.put("/api/v1/targets/2026-S1/metal", json=GOOD, headers=viewer)).status_code == 403
        assert (await client.put("/api/v1/targets/2026-S1/metal", json=GOOD, headers=federation)).status_code == 403
        bad = [
            ("2026-S3", "metal", GOOD, "period"),
            ("2026-H1", "metal", GOOD, "period"),
            ("2026-S1", "textiles", GOOD, "sector"),
            ("2026-S1", "metal", {**GOOD, "members_recruited": -1}, "members_recruited"),
            ("2026-S1", "metal", {**GOOD, "members_recruited": "5"}, "members_recruited"),
            ("2026-S1", "metal", {"members_recruited": 5}, "union_units_established"),
            ("2026-S1", "metal", {**GOOD, "name": "x"}, "name"),
            ("2026-S1", "metal", {**GOOD, "federation": "NOPE"}, "federation: is not one of the configured federations"),
            ("2026-S1", "metal", {**GOOD, "federation": "lower"}, "federation"),
        ]
        for period, sector, body, named in bad:
            response = await client.put(f"/api/v1/targets/{period}/{sector}", json=body, headers=ADMIN)
            assert response.status_code == 422, (period, sector, body, response.text)
            assert named in response.text, response.text
        assert (await client.get("/api/v1/targets", params={"period": "2026-S1"})).status_code == 401
        assert (await client.get("/api/v1/targets", params={"period": "2026-S9"}, headers=ADMIN)).status_code == 422
        assert (await client.put("/api/v1/targets/2026-S1/metal", json=GOOD, headers=ADMIN)).status_code == 200
    # Only the accepted request was published (publishing is awaited, so earlier ones would be there).
    records = await read_topic(reporting_settings.kafka_bootstrap_servers, reporting_settings.topics.targets, expected=1)
    assert len(records) == 1


async def test_a_put_target_is_visible_at_once_published_and_projected(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        viewer = await issue(reporting_settings, Role.VIEWER)
        response = await client.put("/api/v1/targets/2026-S1/metal", json={**GOOD, "federation": "FSPMI"}, headers=ADMIN)
        assert response.status_code == 200, response.text
        report = (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=viewer)).json()
        assert [(e["sector"], e["federation"], e["metrics"]["members_recruited"]["target"]) for e in report["sectors"]] == [
            ("metal", "FSPMI", 100)
        ]
        # A second setting replaces the first, and the projection of the first (arriving later) does not bring it back.
        await client.put("/api/v1/targets/2026-S1/metal", json={**GOOD, "federation": "FSPMI", "members_recruited": 150}, headers=ADMIN)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 2), what="both settings projected")
        report = (await client.get("/api/v1/targets", params={"period": "2026-S1", "federation": "FSPMI"}, headers=viewer)).json()
        assert report["sectors"][0]["metrics"]["members_recruited"]["target"] == 150
        assert report["period"] == "2026-S1" and report["as_of"]
    records = await read_topic(reporting_settings.kafka_bootstrap_servers, reporting_settings.topics.targets, expected=2)
    published = [json.loads(record.value) for record in records]
    assert [event["data"]["members_recruited"] for event in published] == [100, 150]
    assert all(event["event_type"] == "SectorTargetSet" and event["data"]["set_by"] == "admin" for event in published)
    assert records[0].key == b"metal"


async def test_small_cells_are_suppressed_for_a_viewer_but_not_for_an_admin(reporting_settings, infrastructure):
    events = [b.recruited(f"w{i}", gender="female" if i < 3 else "male", on="2026-02-02") for i in range(10)]
    events.append(b.violation_reported("s1", category="overtime", workers=2, on="2026-02-03"))
    async with running_service(reporting_settings) as client:
        viewer = await issue(reporting_settings, Role.VIEWER)
        await publish(reporting_settings, events)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), len(events)), what="events projected")
        shown = (await client.get("/api/v1/breakdowns/2026-S1/metal", headers=viewer)).json()
        full = (await client.get("/api/v1/breakdowns/2026-S1/metal", headers=ADMIN)).json()
        summary = (await client.get("/api/v1/violations/summary", params={"period": "2026-S1"}, headers=viewer)).json()
    assert full["members_recruited_by"]["gender"] == {"female": 3, "male": 7, "unspecified": 0}
    assert shown["members_recruited_by"]["gender"] == {"female": None, "male": 7, "unspecified": 0}
    assert shown["totals"]["members_recruited"] == 10
    assert full["violations"]["by_category"]["overtime"]["workers_affected"] == 2
    assert shown["violations"]["by_category"]["overtime"]["workers_affected"] is None
    # Cases are not people: their counts are shown to everyone.
    assert summary["by_category"]["overtime"]["open"] == 1
    assert summary["sector"] is None


async def _at_least(value, expected):
    return await value >= expected
