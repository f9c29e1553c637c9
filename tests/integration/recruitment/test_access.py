"""Bearer tokens: 401 without a valid one, 403 for the wrong role or federation; refusals write nothing."""

from __future__ import annotations

import pytest

from organising_shared.auth import TokenStore
from recruitment.store import MEMBERS
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_events

pytestmark = pytest.mark.integration


async def test_missing_unknown_and_revoked_tokens_get_401(client, tokens, mongo, recruitment_settings, db):
    assert (await client.post("/api/v1/members", json=payloads.member())).status_code == 401
    assert (await client.post("/api/v1/members", json=payloads.member(), headers=Tokens.header("org_not-a-token"))).status_code == 401
    await TokenStore(mongo[recruitment_settings.auth_database]["tokens"]).revoke("fspmi-office")
    revoked = await client.post("/api/v1/members", json=payloads.member(), headers=Tokens.header(tokens.fspmi))
    assert revoked.status_code == 401
    assert (await client.get("/api/v1/events", headers=Tokens.header(tokens.fspmi))).status_code == 401
    assert await outbox_events(db) == 0


async def test_a_viewer_can_neither_write_nor_read_reports(client, tokens, db):
    viewer = Tokens.header(tokens.viewer)
    assert (await client.post("/api/v1/members", json=payloads.member(federation="FSPMI"), headers=viewer)).status_code == 403
    assert (await client.get("/api/v1/events?federation=FSPMI", headers=viewer)).status_code == 403
    assert await outbox_events(db) == 0


async def test_a_federation_token_cannot_write_for_another_federation(client, tokens, db):
    fspmi, spn = Tokens.header(tokens.fspmi), Tokens.header(tokens.spn)
    assert (await client.post("/api/v1/members", json=payloads.member(federation="SPN"), headers=fspmi)).status_code == 403
    assert (await client.post("/api/v1/union-units", json=payloads.union_unit(federation="SPN"), headers=fspmi)).status_code == 403
    assert (await client.post("/api/v1/violations", json=payloads.violation(federation="SPN"), headers=fspmi)).status_code == 403

    spn_member = (await client.post("/api/v1/members", json=payloads.member(), headers=spn)).json()["member_ref"]
    spn_case = (await client.post("/api/v1/violations", json=payloads.violation(), headers=spn)).json()["case_id"]
    leave = await client.post(f"/api/v1/members/{spn_member}/leave", json={"reason": "dismissed", "left_on": "2026-04-01"}, headers=fspmi)
    progress = await client.post(
        f"/api/v1/violations/{spn_case}/progress", json={"stage": "mediation", "changed_on": "2026-04-01"}, headers=fspmi
    )
    close = await client.post(f"/api/v1/violations/{spn_case}/close", json={"outcome": "lost", "closed_on": "2026-04-01"}, headers=fspmi)
    erase = await client.delete(f"/api/v1/members/{spn_member}/personal-data", headers=fspmi)
    assert [leave.status_code, progress.status_code, close.status_code, erase.status_code] == [403] * 4
    assert await outbox_events(db) == 2  # only SPN's own two writes
    assert (await db[MEMBERS].find_one({"member_ref": spn_member}))["personal_data"] == "held"


async def test_a_federation_reads_back_only_its_own_reports(client, tokens):
    fspmi, spn = Tokens.header(tokens.fspmi), Tokens.header(tokens.spn)
    for _ in range(3):
        await client.post("/api/v1/members", json=payloads.member(), headers=fspmi)
    await client.post("/api/v1/members", json=payloads.member(), headers=spn)
    await client.post("/api/v1/violations", json=payloads.violation(), headers=spn)

    page = (await client.get("/api/v1/events?limit=2", headers=fspmi)).json()
    rest = (await client.get(f"/api/v1/events?limit=2&after={page['next_after']}", headers=fspmi)).json()
    events = [item["event"] for item in page["items"] + rest["items"]]
    assert len(events) == 3 and rest["next_after"] is None
    assert {event["federation"] for event in events} == {"FSPMI"}
    assert all("nik" not in item["event"]["data"] for item in page["items"])

    assert (await client.get("/api/v1/events?federation=SPN", headers=fspmi)).status_code == 403
    assert (await client.get("/api/v1/members?federation=SPN", headers=fspmi)).status_code == 403
    members = (await client.get("/api/v1/members", headers=fspmi)).json()["items"]
    assert len(members) == 3 and {m["federation"] for m in members} == {"FSPMI"}
    assert all(set(m) >= {"member_ref", "status", "personal_data"} and "nik" not in m for m in members)

    everything = (await client.get("/api/v1/events", headers=Tokens.header(tokens.admin))).json()["items"]
    assert {item["event"]["federation"] for item in everything} == {"FSPMI", "SPN"}


async def test_an_admin_writes_for_the_federation_it_names(client, tokens):
    admin = Tokens.header(tokens.admin)
    unnamed = await client.post("/api/v1/members", json=payloads.member(), headers=admin)
    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "federation"
    named = await client.post("/api/v1/members", json=payloads.member(federation="KEP"), headers=admin)
    assert named.status_code == 201
    events = (await client.get("/api/v1/events?federation=KEP", headers=admin)).json()["items"]
    assert [item["event"]["federation"] for item in events] == ["KEP"]
