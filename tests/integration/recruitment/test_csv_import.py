"""Importing a federation's spreadsheet: 10,000 rows, 100 of them bad."""

from __future__ import annotations

import random

import pytest

from organising_shared.mongo import KEYS_PER_LIST
from recruitment.store import MEMBERS
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_drained, published

pytestmark = pytest.mark.integration

HEADER = "sector,workplace_id,region_code,employment_status,gender,age_band,recruited_on,full_name,phone,nik"
DEFECTS = [
    ("sector", "textiles", "sector"),
    ("region_code", "99.99", "region_code"),
    ("recruited_on", "2099-01-01", "recruited_on"),
    ("recruited_on", "14/03/2026", "recruited_on"),
    ("gender", "", "gender"),
    ("nik", "12345", "nik"),
    ("employment_status", "contract", "employment_status"),
    ("workplace_id", "w" * 200, "workplace_id"),
]
COLUMNS = HEADER.split(",")


def spreadsheet(rows: int, bad: int, *, seed: int = 7) -> tuple[str, dict[int, str]]:
    """A CSV of `rows` data rows; returns it and the bad rows' line numbers with the field each breaks."""
    rng = random.Random(seed)
    bad_lines = set(rng.sample(range(2, rows + 2), bad))
    lines, expected = [HEADER], {}
    for line in range(2, rows + 2):
        values = {
            "sector": rng.choice(["metal", "chemical", "automotive", "cement", "garment_textile"]),
            "workplace_id": f"wp-{rng.randrange(300):04d}",
            "region_code": rng.choice(["32.16", "32.15", "31.71", "36.03"]),
            "employment_status": rng.choice(["permanent", "fixed_term", "outsourced", "daily"]),
            "gender": rng.choice(["female", "male"]),
            "age_band": rng.choice(["under_25", "25_34", "35_44", ""]),
            "recruited_on": f"2026-0{rng.randrange(1, 4)}-{rng.randrange(1, 28):02d}",
            # Half the rows name the person, as many federation sheets do; half are counts only.
            "full_name": f"Pekerja {line}" if line % 2 else "",
            "phone": f"08{line:010d}" if line % 2 else "",
            "nik": f"32{line:014d}" if line % 2 else "",
        }
        if line in bad_lines:
            column, value, field = DEFECTS[len(expected) % len(DEFECTS)]
            values[column] = value
            expected[line] = field
        lines.append(",".join(values[column] for column in COLUMNS))
    return "\n".join(lines) + "\n", expected


async def test_ten_thousand_rows_with_a_hundred_bad_import_once(client, tokens, db, recruitment_settings):
    content, bad = spreadsheet(10_000, 100)
    upload = {"file": ("anggota.csv", content.encode(), "text/csv")}
    auth = Tokens.header(tokens.fspmi)

    report = (await client.post("/api/v1/members/import", files=upload, headers=auth)).json()
    assert report["rows"] == 10_000
    assert report["registered"] == 9_900
    assert report["already_registered"] == 0
    assert {item["line"] for item in report["rejected"]} == set(bad)
    for item in report["rejected"]:
        assert item["reason"].startswith(bad[item["line"]]), item
        assert "Pekerja" not in item["reason"] and "32000" not in item["reason"]

    again = (await client.post("/api/v1/members/import", files=upload, headers=auth)).json()
    assert (again["registered"], again["already_registered"]) == (0, 9_900)
    assert again["rejected"] == report["rejected"]
    assert await db[MEMBERS].count_documents({}) == 9_900

    await outbox_drained(db, expected=9_900, timeout=120)
    events = await published(recruitment_settings, recruitment_settings.topics.membership, expected=9_900, timeout=60)
    assert len(events) == 9_900
    assert len({str(event.event_id) for _, event in events}) == 9_900
    assert {event.event_type for _, event in events} == {"MemberRecruited"}
    assert not any(b"Pekerja" in record.value for record, _ in events)


async def test_the_sheet_again_with_rows_added_registers_only_the_new_rows(client, tokens, db):
    # Federations upload their updated sheet: every earlier row is found again (by its
    # fingerprint, or its NIK), across many of the store's short key lists (KEYS_PER_LIST).
    content, _ = spreadsheet(KEYS_PER_LIST * 6 + 25, 0, seed=11)
    lines = content.splitlines(keepends=True)
    earlier = "".join(lines[: 1 + KEYS_PER_LIST * 6])
    auth = Tokens.header(tokens.fspmi)

    def upload(text: str) -> dict:
        return {"file": ("anggota.csv", text.encode(), "text/csv")}

    first = (await client.post("/api/v1/members/import", files=upload(earlier), headers=auth)).json()
    assert (first["registered"], first["already_registered"]) == (KEYS_PER_LIST * 6, 0)
    again = (await client.post("/api/v1/members/import", files=upload(content), headers=auth)).json()
    assert (again["registered"], again["already_registered"], again["rejected"]) == (25, KEYS_PER_LIST * 6, [])
    assert await db[MEMBERS].count_documents({}) == KEYS_PER_LIST * 6 + 25


async def test_a_file_with_a_bad_header_is_refused_whole(client, tokens, db):
    content = "sector,workplace,nama\nmetal,wp-1,Siti\n"
    response = await client.post(
        "/api/v1/members/import", files={"file": ("m.csv", content, "text/csv")}, headers=Tokens.header(tokens.fspmi)
    )
    assert response.status_code == 422
    reason = response.json()["errors"][0]["reason"]
    assert "unknown columns" in reason and "missing columns" in reason and "Siti" not in reason
    assert await db[MEMBERS].count_documents({}) == 0


async def test_an_import_with_an_idempotency_key_answers_a_retry_with_the_first_report(client, tokens, db):
    content, _ = spreadsheet(20, 2, seed=3)
    headers = {**Tokens.header(tokens.fspmi), "Idempotency-Key": "upload-1"}
    first = await client.post("/api/v1/members/import", files={"file": ("m.csv", content, "text/csv")}, headers=headers)
    retried = await client.post("/api/v1/members/import", files={"file": ("m.csv", content, "text/csv")}, headers=headers)
    assert first.json()["registered"] == 18
    assert retried.json() == first.json()
    assert await db[MEMBERS].count_documents({}) == 18
