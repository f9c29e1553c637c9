"""Bad input: 422 naming each field, never echoing the value; 413 for oversized bodies; nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from organising_shared.periods import jakarta_today
from recruitment.store import MEMBERS
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_events

pytestmark = pytest.mark.integration

TOMORROW = (jakarta_today() + timedelta(days=1)).isoformat()

PERSONAL_FIELDS = {"nik", "phone", "full_name", "nama"}
BAD_MEMBERS = [
    ({"sector": "textiles"}, "body.sector"),
    ({"federation": "NOPE"}, "federation"),
    ({"region_code": "99.01"}, "body.region_code"),
    ({"region_code": "3216"}, "body.region_code"),
    ({"recruited_on": TOMORROW}, "body.recruited_on"),
    ({"workplace_id": "w" * 129}, "body.workplace_id"),
    ({"gender": "woman"}, "body.gender"),
    ({"nik": "32160123456700019999"}, "body.nik"),
    ({"phone": "call me"}, "body.phone"),
    ({"full_name": "x" * 201}, "body.full_name"),
    ({"nama": "Siti"}, "body.nama"),
]


@pytest.mark.parametrize(("override", "field"), BAD_MEMBERS, ids=[field for _, field in BAD_MEMBERS])
async def test_a_bad_member_is_refused_with_the_field_and_writes_nothing(client, tokens, db, override, field):
    response = await client.post("/api/v1/members", json=payloads.member(**override), headers=Tokens.header(tokens.fspmi))
    assert response.status_code == 422, response.text
    fields = [item["field"] for item in response.json()["errors"]]
    assert field in fields
    assert all(item["reason"] for item in response.json()["errors"])
    for key, value in override.items():
        if key in PERSONAL_FIELDS:
            assert str(value) not in response.text, "a refused personal value was echoed back"
    assert await db[MEMBERS].count_documents({}) == 0
    assert await outbox_events(db) == 0


async def test_bad_counts_and_bounds_are_refused(client, tokens, db):
    auth = Tokens.header(tokens.fspmi)
    cases = [
        ("/api/v1/union-units", payloads.union_unit(founding_members=0), "body.founding_members"),
        ("/api/v1/union-units", payloads.union_unit(women_on_board=-1), "body.women_on_board"),
        ("/api/v1/violations", payloads.violation(workers_affected=-5), "body.workers_affected"),
        ("/api/v1/violations", payloads.violation(women_affected=41), "body"),
        ("/api/v1/violations", payloads.violation(summary="x" * 2001), "body.summary"),
        ("/api/v1/violations", payloads.violation(summary="worker NIK 3216012345670001 was fired"), "body.summary"),
        ("/api/v1/violations", payloads.violation(category="theft"), "body.category"),
        ("/api/v1/members/" + "m" * 65 + "/leave", {"reason": "resigned", "left_on": "2026-04-01"}, "path.member_ref"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=auth)
        assert response.status_code == 422, (path, response.text)
        assert field in [item["field"] for item in response.json()["errors"]], (field, response.text)
    assert "3216012345670001" not in response.text
    case_id = (await client.post("/api/v1/violations", json=payloads.violation(), headers=auth)).json()["case_id"]
    negative = await client.post(
        f"/api/v1/violations/{case_id}/close", json={"outcome": "won", "recovered_idr": -1, "closed_on": "2026-04-01"}, headers=auth
    )
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "body.recovered_idr"
    assert await outbox_events(db) == 1


async def test_an_oversized_body_gets_413_and_writes_nothing(client, tokens, db, recruitment_settings):
    auth = Tokens.header(tokens.fspmi)
    huge = payloads.violation(summary="x" * (recruitment_settings.max_body_bytes + 10))
    assert (await client.post("/api/v1/violations", json=huge, headers=auth)).status_code == 413

    async def chunks():  # streamed without a Content-Length
        for _ in range(recruitment_settings.max_body_bytes // 1000 + 2):
            yield b" " * 1000

    streamed = await client.post("/api/v1/violations", content=chunks(), headers={**auth, "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert await outbox_events(db) == 0


async def test_an_oversized_file_gets_413_and_imports_nothing(client, tokens, db, recruitment_settings):
    header = "sector,workplace_id,region_code,employment_status,gender,recruited_on\n"
    row = "metal,wp-1,32.16,permanent,male,2026-03-01\n"
    content = header + row * (recruitment_settings.max_upload_bytes // len(row) + 1)
    response = await client.post(
        "/api/v1/members/import", files={"file": ("members.csv", content, "text/csv")}, headers=Tokens.header(tokens.fspmi)
    )
    assert response.status_code == 413
    assert await db[MEMBERS].count_documents({}) == 0


async def test_a_page_after_a_sequence_past_64_bits_is_refused_not_a_server_error(client, tokens):
    # Found by tests/fuzz: the store cannot compare with an integer over 8 bytes (OverflowError, 500).
    response = await client.get("/api/v1/events", params={"after": 2**63}, headers=Tokens.header(tokens.fspmi))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "query.after"
    last = await client.get("/api/v1/events", params={"after": 2**63 - 1}, headers=Tokens.header(tokens.fspmi))
    assert last.status_code == 200 and last.json()["items"] == []
