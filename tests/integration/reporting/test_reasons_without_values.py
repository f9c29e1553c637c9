"""Every 422 (and 404) of the reporting API names the field and the rule, never the value sent:
FastAPI's own 422 would return it as `input`, and a NIK typed into the wrong box must not come back."""

from __future__ import annotations

import logging

import pytest

from tests.integration.reporting.support import ADMIN, running_service

pytestmark = pytest.mark.integration

NIK = "3275014407880123"
# Pattern-valid but not configured: reaches the API's own "not one of the configured" check.
UNKNOWN_FEDERATION = "Q327501440788012"
GOOD = {"members_recruited": 100, "union_units_established": 4, "cases_resolved": 6}


def service_logs(caplog) -> str:
    """Every captured log line but the test client's own (httpx logs each URL it requests)."""
    return "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore")))


async def test_a_nik_sent_in_any_parameter_or_field_is_not_echoed(reporting_settings, infrastructure, caplog):
    caplog.set_level(logging.DEBUG)
    requests = [
        ("PUT", f"/api/v1/targets/{NIK}/metal", GOOD, None),
        ("PUT", f"/api/v1/targets/2026-S1/{NIK}", GOOD, None),
        ("PUT", "/api/v1/targets/2026-S1/metal", {**GOOD, "federation": NIK}, None),
        ("PUT", "/api/v1/targets/2026-S1/metal", {**GOOD, "federation": UNKNOWN_FEDERATION}, None),
        ("PUT", "/api/v1/targets/2026-S1/metal", {**GOOD, "members_recruited": NIK}, None),
        ("PUT", "/api/v1/targets/2026-S1/metal", {**GOOD, NIK: 1}, None),
        ("PUT", "/api/v1/targets/2026-S1/metal", {**GOOD, "set_by": NIK}, None),
        ("GET", "/api/v1/targets", None, {"period": NIK}),
        ("GET", "/api/v1/targets", None, {"period": "2026-S1", "federation": NIK}),
        ("GET", "/api/v1/violations/summary", None, {"period": NIK}),
        ("GET", "/api/v1/violations/summary", None, {"period": "2026-S1", "sector": NIK}),
        ("GET", f"/api/v1/breakdowns/{NIK}/metal", None, None),
        ("GET", f"/api/v1/breakdowns/2026-S1/{NIK}", None, None),
        ("GET", f"/api/v1/exports/{NIK}.csv", None, None),
        ("GET", f"/api/v1/exports/{NIK}.xlsx", None, None),
        ("GET", "/api/v1/live", None, {"period": NIK}),
        ("GET", "/api/v1/live", None, {"period": "2026-S1", "federation": UNKNOWN_FEDERATION}),
        ("GET", f"/dashboard/static/{NIK}.js", None, None),
    ]
    async with running_service(reporting_settings) as client:
        answers = []
        for method, path, body, params in requests:
            response = await client.request(method, path, json=body, params=params, headers=ADMIN)
            answers.append((method, path, body, params, response.status_code, response.text))
    not_refused = [answer for answer in answers if answer[4] not in (404, 422)]
    assert not_refused == []
    echoed = [answer for answer in answers if NIK in answer[5] or UNKNOWN_FEDERATION in answer[5]]
    assert echoed == []
    assert caplog.records and NIK not in service_logs(caplog) and UNKNOWN_FEDERATION not in service_logs(caplog)


async def test_a_422_is_a_problem_without_input_and_ctx(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        response = await client.put("/api/v1/targets/2026-S1/metal", json={**GOOD, "federation": NIK}, headers=ADMIN)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "detail", "errors"} and problem["type"] == "urn:organising:problem:invalid-request"
    [item] = problem["errors"]
    assert set(item) == {"field", "reason"} and item["field"] == "body.federation"
