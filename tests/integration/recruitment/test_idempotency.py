"""A retried POST with the same Idempotency-Key returns the first answer and writes nothing new."""

from __future__ import annotations

import asyncio

import pytest

from recruitment.store import CASES, MEMBERS
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_events

pytestmark = pytest.mark.integration


async def test_a_retried_registration_returns_the_first_answer_and_writes_once(client, tokens, db):
    headers = {**Tokens.header(tokens.fspmi), "Idempotency-Key": "retry-1"}
    body = payloads.member(nik=None)  # without a NIK, only the key can tell a retry from a second member
    first = await client.post("/api/v1/members", json=body, headers=headers)
    retried = await client.post("/api/v1/members", json=body, headers=headers)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert await db[MEMBERS].count_documents({}) == 1
    assert await outbox_events(db) == 1

    # Without the key, the same body is another member (two workers can share every field).
    assert (await client.post("/api/v1/members", json=body, headers=Tokens.header(tokens.fspmi))).status_code == 201
    assert await outbox_events(db) == 2


async def test_concurrent_retries_write_once(client, tokens, db):
    headers = {**Tokens.header(tokens.fspmi), "Idempotency-Key": "burst-1"}
    body = payloads.violation()
    answers = await asyncio.gather(*(client.post("/api/v1/violations", json=body, headers=headers) for _ in range(5)))
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["event_id"] for answer in answers}) == 1
    assert await db[CASES].count_documents({}) == 1
    assert await outbox_events(db) == 1


async def test_the_same_key_for_a_different_request_is_refused(client, tokens, db):
    headers = {**Tokens.header(tokens.fspmi), "Idempotency-Key": "reused"}
    assert (await client.post("/api/v1/union-units", json=payloads.union_unit(), headers=headers)).status_code == 201
    other = await client.post("/api/v1/union-units", json=payloads.union_unit(founding_members=30), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await outbox_events(db) == 1


async def test_keys_are_scoped_to_the_caller(client, tokens, db):
    body = payloads.union_unit()
    fspmi = await client.post("/api/v1/union-units", json=body, headers={**Tokens.header(tokens.fspmi), "Idempotency-Key": "k"})
    spn = await client.post("/api/v1/union-units", json=body, headers={**Tokens.header(tokens.spn), "Idempotency-Key": "k"})
    assert fspmi.status_code == spn.status_code == 201
    assert fspmi.json()["event_id"] != spn.json()["event_id"]
    assert await outbox_events(db) == 2


async def test_a_retried_case_closure_publishes_once(client, tokens, db):
    auth = Tokens.header(tokens.fspmi)
    case_id = (await client.post("/api/v1/violations", json=payloads.violation(), headers=auth)).json()["case_id"]
    headers = {**auth, "Idempotency-Key": "close-1"}
    close = {"outcome": "won", "closed_on": "2026-04-01"}
    first = await client.post(f"/api/v1/violations/{case_id}/close", json=close, headers=headers)
    # Without the key this would be 409 (the case is closed); with it, the first answer comes back.
    retried = await client.post(f"/api/v1/violations/{case_id}/close", json=close, headers=headers)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert await outbox_events(db) == 2
