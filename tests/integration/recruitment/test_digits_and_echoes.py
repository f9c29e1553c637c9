"""Against the real store: a NIK in another script's digits is the same person; codes in other
scripts are refused; a NIK typed into any field never comes back in a 422 or a log line."""

from __future__ import annotations

import logging

import pytest

from recruitment.store import MEMBERS, NIK_CLAIMS
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_events

pytestmark = pytest.mark.integration

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Recognisable in any response or log line; registered by no test.
NIK = "3275014407880123"


async def test_the_same_nik_in_arabic_indic_digits_is_found_as_the_same_person(client, tokens, db):
    auth = Tokens.header(tokens.fspmi)
    nik = payloads.new_nik()
    first = await client.post("/api/v1/members", json=payloads.member(nik=nik), headers=auth)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/members", json=payloads.member(nik=nik.translate(_ARABIC_INDIC)), headers=auth)
    assert again.status_code == 200, again.text
    assert again.json() == {"member_ref": first.json()["member_ref"], "event_id": None, "already_registered": True}
    assert await db[MEMBERS].count_documents({}) == 1 and await db[NIK_CLAIMS].count_documents({}) == 1
    assert await outbox_events(db) == 1


async def test_a_csv_row_with_the_same_nik_in_fullwidth_digits_is_not_registered_again(client, tokens, db):
    auth = Tokens.header(tokens.fspmi)
    nik = payloads.new_nik()
    assert (await client.post("/api/v1/members", json=payloads.member(nik=nik), headers=auth)).status_code == 201
    content = (
        "sector,workplace_id,region_code,employment_status,gender,recruited_on,nik\n"
        f"metal,wp-1,32.16,permanent,female,2026-03-01,{nik.translate(_FULLWIDTH)}\n"
    )
    report = await client.post("/api/v1/members/import", files={"file": ("m.csv", content.encode(), "text/csv")}, headers=auth)
    assert report.status_code == 200, report.text
    assert (report.json()["registered"], report.json()["already_registered"]) == (0, 1)
    assert await db[MEMBERS].count_documents({}) == 1


@pytest.mark.parametrize("region_code", ["３２.１６", "32.１６", "٣٢.١٦"])
async def test_a_region_code_in_other_scripts_digits_is_refused_and_nothing_written(client, tokens, db, region_code):
    response = await client.post("/api/v1/members", json=payloads.member(region_code=region_code), headers=Tokens.header(tokens.fspmi))
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"field": "body.region_code", "reason": "region_code must be written with the digits 0-9, like '32' or '32.16'"}
    ]
    assert await db[MEMBERS].count_documents({}) == 0


@pytest.mark.parametrize(
    "summary",
    [
        "worker +62 812 1005 9887 dismissed",
        "+62 812-8537-3257",
        "NIK 3201 1234 5678 0001",
        "NIK ٣٢٠١١٢٣٤٥٦٧٨٠٠٠١",
        "62812 1005 9887",
        "siti@gmail.com",
    ],
)
async def test_a_summary_holding_personal_data_gets_422_with_its_kind_and_writes_nothing(client, tokens, db, summary):
    response = await client.post("/api/v1/violations", json=payloads.violation(summary=summary), headers=Tokens.header(tokens.fspmi))
    assert response.status_code == 422, response.text
    [detail] = response.json()["errors"]
    assert detail["field"] == "body.summary"
    assert detail["reason"].startswith("contains what looks like") and detail["reason"].endswith("free text must not hold personal data")
    assert summary not in response.text and "9887" not in response.text and "5678" not in response.text
    assert await outbox_events(db) == 0


def service_logs(caplog) -> str:
    """Every captured log line but the test client's own (httpx logs each URL it requests)."""
    return "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore")))


def _nik_in_each_field(body: dict) -> list[dict]:
    """The body once per field with the NIK in that field, and once with the NIK as an extra key."""
    variants = [{**body, field: NIK} for field in body]
    variants.append({**body, NIK: "x"})
    variants.append({**body, "nama": NIK})
    return variants


async def test_a_nik_typed_into_any_field_is_not_echoed_in_the_answer_nor_the_logs(client, tokens, db, caplog):
    caplog.set_level(logging.DEBUG)
    auth = Tokens.header(tokens.fspmi)
    admin = Tokens.header(tokens.admin)
    requests = []
    for body in _nik_in_each_field(payloads.member(nik=None, phone=None, full_name=None)):
        requests.append(("POST", "/api/v1/members", body, auth))
    requests.append(("POST", "/api/v1/members", payloads.member(nik=NIK + "0"), auth))  # 17 digits
    requests.append(("POST", "/api/v1/members", payloads.member(phone=f"{NIK} (home)"), auth))
    requests.append(("POST", "/api/v1/members", payloads.member(federation=NIK), admin))
    for body in _nik_in_each_field(payloads.union_unit()):
        requests.append(("POST", "/api/v1/union-units", body, auth))
    for body in _nik_in_each_field(payloads.violation()):
        requests.append(("POST", "/api/v1/violations", body, auth))
    requests.append(("POST", "/api/v1/violations", payloads.violation(federation=NIK[:15] + "X"), admin))
    for body in _nik_in_each_field({"reason": "resigned", "left_on": "2026-04-01"}):
        requests.append(("POST", "/api/v1/members/m_unknown/leave", body, auth))
    for body in _nik_in_each_field({"stage": "mediation", "changed_on": "2026-04-01"}):
        requests.append(("POST", "/api/v1/violations/case-1/progress", body, auth))
    for body in _nik_in_each_field({"outcome": "won", "recovered_idr": 5, "workers_benefited": 1, "closed_on": "2026-04-01"}):
        requests.append(("POST", "/api/v1/violations/case-1/close", body, auth))
    requests.append(("POST", f"/api/v1/members/{NIK * 5}/leave", {"reason": "resigned", "left_on": "2026-04-01"}, auth))
    requests.append(("POST", f"/api/v1/violations/{NIK * 9}/close", {"outcome": "won", "closed_on": "2026-04-01"}, auth))
    requests.append(("GET", f"/api/v1/events?federation={NIK}", None, admin))
    requests.append(("GET", f"/api/v1/events?after={NIK}x", None, auth))
    requests.append(("GET", f"/api/v1/members?limit={NIK}", None, auth))
    requests.append(("POST", "/api/v1/violations", payloads.violation(), {**auth, "Idempotency-Key": NIK * 9}))

    answers = []
    for method, path, body, headers in requests:
        response = await client.request(method, path, json=body, headers=headers)
        answers.append((method, path, body, response.status_code, response.text))
    refused = [(path, body, status, text) for _, path, body, status, text in answers if status not in (422, 404)]
    assert refused == [], "every request above must be refused"
    echoed = [(path, body, text) for _, path, body, _, text in answers if NIK in text]
    assert echoed == [], "a refused value was echoed back"
    assert caplog.records and NIK not in service_logs(caplog), "a refused value was logged"
    assert await db[MEMBERS].count_documents({}) == 0
    assert await outbox_events(db) == 0


async def test_a_nik_in_a_csv_row_or_header_is_not_echoed_in_the_report(client, tokens, db, caplog):
    caplog.set_level(logging.DEBUG)
    auth = Tokens.header(tokens.fspmi)
    header = "sector,workplace_id,region_code,employment_status,gender,recruited_on,nik"
    rows = [
        f"metal,wp-1,{NIK},permanent,female,2026-03-01,",
        f"{NIK},wp-1,32.16,permanent,female,2026-03-01,",
        f"metal,wp-1,32.16,{NIK},female,2026-03-01,",
        f"metal,wp-1,32.16,permanent,{NIK},2026-03-01,",
        f"metal,wp-1,32.16,permanent,female,{NIK},",
        f"metal,wp-1,32.16,permanent,female,2026-03-01,{NIK}9",
        f"metal,wp-1,32.16,permanent,female,2026-03-01,{NIK},extra",
    ]
    content = header + "\n" + "\n".join(rows) + "\n"
    report = await client.post("/api/v1/members/import", files={"file": ("m.csv", content.encode(), "text/csv")}, headers=auth)
    assert report.status_code == 200, report.text
    assert [item["line"] for item in report.json()["rejected"]] == list(range(2, 2 + len(rows)))
    assert NIK not in report.text
    headerless = f"metal,wp-1,32.16,permanent,female,2026-03-01,{NIK}\n"
    refused = await client.post("/api/v1/members/import", files={"file": ("m.csv", headerless.encode(), "text/csv")}, headers=auth)
    assert refused.status_code == 422 and "header row" in refused.text and NIK not in refused.text
    assert caplog.records and NIK not in service_logs(caplog)
    assert await db[MEMBERS].count_documents({}) == 0
