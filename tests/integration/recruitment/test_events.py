"""Every write becomes exactly one contract-valid event, on the right topic, with the right key."""

from __future__ import annotations

import asyncio

import pytest

from recruitment.store import MEMBERS
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import assert_no_personal_data, outbox_drained, outbox_events, published

pytestmark = pytest.mark.integration


async def test_each_write_becomes_one_contract_event_keyed_by_its_workplace(client, tokens, recruitment_settings, db):
    auth = Tokens.header(tokens.fspmi)
    body = payloads.member()
    registered = (await client.post("/api/v1/members", json=body, headers=auth)).json()
    left = await client.post(
        f"/api/v1/members/{registered['member_ref']}/leave", json={"reason": "contract_ended", "left_on": "2026-04-02"}, headers=auth
    )
    unit = await client.post("/api/v1/union-units", json=payloads.union_unit(), headers=auth)
    case = await client.post("/api/v1/violations", json=payloads.violation(), headers=auth)
    case_id = case.json()["case_id"]
    progressed = await client.post(
        f"/api/v1/violations/{case_id}/progress", json={"stage": "mediation", "changed_on": "2026-03-20"}, headers=auth
    )
    closed = await client.post(
        f"/api/v1/violations/{case_id}/close",
        json={"outcome": "won", "recovered_idr": 150_000_000, "workers_benefited": 40, "closed_on": "2026-05-30"},
        headers=auth,
    )
    assert [left.status_code, unit.status_code, case.status_code, progressed.status_code, closed.status_code] == [201] * 5

    await outbox_drained(db, expected=6)
    topics = recruitment_settings.topics
    membership = await published(recruitment_settings, topics.membership, expected=3)
    violations = await published(recruitment_settings, topics.violations, expected=3)
    assert len(membership) == 3 and len(violations) == 3, "a write was published more than once"

    written_ids = {registered["event_id"], left.json()["event_id"], unit.json()["event_id"], case.json()["event_id"]}
    written_ids |= {progressed.json()["event_id"], closed.json()["event_id"]}
    assert {str(event.event_id) for _, event in membership + violations} == written_ids

    for record, event in membership + violations:
        assert event.federation == "FSPMI"
        assert event.producer == recruitment_settings.producer_name
        assert_no_personal_data(record.value, body["nik"], body["full_name"], body["phone"])

    by_type = {event.event_type: (record, event) for record, event in membership + violations}
    recruited_record, recruited = by_type["MemberRecruited"]
    assert recruited.data.member_ref == registered["member_ref"]
    assert (recruited.data.sector, recruited.data.gender, recruited.data.employment_status) == ("metal", "female", "fixed_term")
    assert recruited_record.key == body["workplace_id"].encode()
    assert by_type["MemberLeft"][0].key == body["workplace_id"].encode()
    assert by_type["MemberLeft"][1].data.reason == "contract_ended"
    assert by_type["UnionUnitEstablished"][0].key == b"wp-cikarang-0007"
    assert by_type["UnionUnitEstablished"][1].data.unit_id == unit.json()["unit_id"]
    # Case progress and closure carry no workplace: they are keyed by their case's workplace.
    for event_type in ("ViolationReported", "ViolationCaseProgressed", "ViolationCaseClosed"):
        assert by_type[event_type][0].key == b"wp-karawang-0101", event_type
    assert by_type["ViolationCaseClosed"][1].data.recovered_idr == 150_000_000

    # In order per workplace: the partition holds recruitment before leaving, report before progress before closure.
    assert recruited_record.offset < by_type["MemberLeft"][0].offset
    offsets = [by_type[t][0].offset for t in ("ViolationReported", "ViolationCaseProgressed", "ViolationCaseClosed")]
    assert offsets == sorted(offsets)


async def test_same_nik_again_answers_with_the_existing_member_and_writes_no_event(client, tokens, db):
    auth = Tokens.header(tokens.fspmi)
    body = payloads.member()
    first = await client.post("/api/v1/members", json=body, headers=auth)
    again = await client.post("/api/v1/members", json={**body, "workplace_id": "wp-other", "full_name": "Another Spelling"}, headers=auth)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {"member_ref": first.json()["member_ref"], "event_id": None, "already_registered": True}
    assert await outbox_events(db) == 1
    assert await db[MEMBERS].count_documents({}) == 1

    # The same NIK in another federation is another membership.
    other = await client.post("/api/v1/members", json=body, headers=Tokens.header(tokens.spn))
    assert other.status_code == 201
    assert other.json()["member_ref"] != first.json()["member_ref"]

    # After leaving, the person may be recruited again: a new membership, a new event.
    await client.post(
        f"/api/v1/members/{first.json()['member_ref']}/leave", json={"reason": "resigned", "left_on": "2026-04-01"}, headers=auth
    )
    rejoined = await client.post("/api/v1/members", json=body, headers=auth)
    assert rejoined.status_code == 201
    assert await outbox_events(db) == 4


async def test_concurrent_registrations_of_one_nik_make_one_member_and_one_event(client, tokens, db):
    # A registration inserts its NIK claim without looking first: the losers of this race must
    # come back with the winner's member_ref, not an error, and write nothing.
    auth = Tokens.header(tokens.fspmi)
    body = payloads.member()
    answers = await asyncio.gather(*(client.post("/api/v1/members", json=body, headers=auth) for _ in range(5)))
    assert sorted(answer.status_code for answer in answers) == [200, 200, 200, 200, 201]
    winner = next(answer.json() for answer in answers if answer.status_code == 201)
    for answer in answers:
        if answer.status_code == 200:
            assert answer.json() == {"member_ref": winner["member_ref"], "event_id": None, "already_registered": True}
    assert await outbox_events(db) == 1
    assert await db[MEMBERS].count_documents({}) == 1


async def test_state_rules_are_refused_without_writing(client, tokens, db):
    auth = Tokens.header(tokens.fspmi)
    ref = (await client.post("/api/v1/members", json=payloads.member(recruited_on="2026-03-14"), headers=auth)).json()["member_ref"]
    before_recruitment = await client.post(
        f"/api/v1/members/{ref}/leave", json={"reason": "resigned", "left_on": "2026-03-01"}, headers=auth
    )
    assert before_recruitment.status_code == 422
    assert before_recruitment.json()["errors"][0]["field"] == "left_on"
    assert (
        await client.post(f"/api/v1/members/{ref}/leave", json={"reason": "resigned", "left_on": "2026-03-20"}, headers=auth)
    ).status_code == 201
    assert (
        await client.post(f"/api/v1/members/{ref}/leave", json={"reason": "resigned", "left_on": "2026-03-21"}, headers=auth)
    ).status_code == 409
    unknown = await client.post("/api/v1/members/m_nobody/leave", json={"reason": "resigned", "left_on": "2026-03-21"}, headers=auth)
    assert unknown.status_code == 404

    case_id = (await client.post("/api/v1/violations", json=payloads.violation(case_id="case-fspmi-x1"), headers=auth)).json()["case_id"]
    assert case_id == "case-fspmi-x1"
    assert (await client.post("/api/v1/violations", json=payloads.violation(case_id="case-fspmi-x1"), headers=auth)).status_code == 409
    close = {"outcome": "settled", "closed_on": "2026-04-01"}
    assert (await client.post(f"/api/v1/violations/{case_id}/close", json=close, headers=auth)).status_code == 201
    assert (
        await client.post(f"/api/v1/violations/{case_id}/progress", json={"stage": "mediation", "changed_on": "2026-04-02"}, headers=auth)
    ).status_code == 409
    assert (await client.post("/api/v1/violations/case-none/close", json=close, headers=auth)).status_code == 404
    assert await outbox_events(db) == 4  # recruited, left, reported, closed


async def test_a_federation_names_only_its_own_units_and_cases(client, tokens, db):
    # Reporting keys a unit or case by its id alone: SPN's id in FSPMI's hands would take it over.
    fspmi, admin = Tokens.header(tokens.fspmi), Tokens.header(tokens.admin)
    for path, body, field in (
        ("/api/v1/violations", payloads.violation(case_id="case-spn-0007"), "body.case_id"),
        ("/api/v1/union-units", payloads.union_unit(unit_id="spn-puk-0007"), "body.unit_id"),
    ):
        refused = await client.post(path, json=body, headers=fspmi)
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == field and "fspmi-" in error["reason"] and "spn" not in error["reason"].lower().replace("fspmi", "")
    assert await db["outbox"].count_documents({}) == 0  # nothing published
    own = await client.post("/api/v1/violations", json=payloads.violation(case_id="FSPMI-case-7"), headers=fspmi)
    assert own.status_code == 201, own.text
    named = await client.post("/api/v1/union-units", json={**payloads.union_unit(unit_id="puk-spn-9"), "federation": "SPN"}, headers=admin)
    assert named.status_code == 201, named.text  # the admin acts for SPN: SPN's namespace
