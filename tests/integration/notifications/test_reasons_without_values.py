"""Every refusal of the notifications API names the field and the rule, never the value sent:
FastAPI's own 422 would return it as `input`, and a NIK typed into the wrong box must not come back."""

from __future__ import annotations

import logging

import pytest

from organising_shared.auth.principal import Role
from tests.integration.notifications.conftest import make_settings, running_service, webhook

pytestmark = pytest.mark.integration

NIK = "3275014407880123"
# Pattern-valid but not configured: reaches the API's own "not one of the configured" check.
UNKNOWN_FEDERATION = "Q327501440788012"
HOOK = "http://127.0.0.1:9/hook"


def service_logs(caplog) -> str:
    """Every captured log line but the test client's own (httpx logs each URL it requests)."""
    return "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore")))


BAD_SUBSCRIPTIONS = [
    {"channel": webhook(HOOK), "federation": NIK},
    {"channel": webhook(HOOK), "federation": UNKNOWN_FEDERATION},
    {"channel": webhook(HOOK), "filters": {"federations": [NIK]}},
    {"channel": webhook(HOOK), "filters": {"federations": ["FSPMI", UNKNOWN_FEDERATION]}},
    {"channel": webhook(HOOK), "filters": {"sectors": [NIK]}},
    {"channel": webhook(HOOK), "filters": {"event_types": [NIK]}},
    {"channel": webhook(HOOK), "filters": {NIK: ["x"]}},
    {"channel": webhook(HOOK), "description": f"call Siti on +62 812-{NIK[:4]}-{NIK[4:8]}, NIK {NIK}"},
    {"channel": webhook(HOOK), "paused": NIK},
    {"channel": webhook(HOOK), NIK: True},
    {"channel": webhook(f"http://{NIK}")},
    {"channel": webhook(HOOK, secret=NIK[:10])},
    {"channel": {"type": NIK, "url": HOOK}},
    {"channel": {"type": "email", "address": f"{NIK}@@example.org"}},
    {"channel": {"type": "email", "address": f"{NIK}"}},
]


async def test_a_nik_sent_in_any_field_or_parameter_is_not_echoed(service, caplog):
    # INFO, the services' level (organising_shared.logging): at DEBUG, pymongo's command log
    # repeats every query filter, here the looked-up path id, whatever the service does.
    caplog.set_level(logging.INFO)
    answers = []
    for body in BAD_SUBSCRIPTIONS:
        response = await service.admin.post("/api/v1/subscriptions", json=body)
        answers.append((body, response.status_code, response.text))
    for method, path, params in [
        ("GET", "/api/v1/deliveries", {"status": NIK}),
        ("GET", "/api/v1/deliveries", {"notice_type": NIK}),
        ("GET", "/api/v1/deliveries", {"since": NIK}),
        ("GET", "/api/v1/deliveries", {"limit": NIK}),
        ("GET", f"/api/v1/deliveries/{NIK}", None),
        ("POST", f"/api/v1/deliveries/{NIK}/retry", None),
        ("POST", f"/api/v1/subscriptions/{NIK}/pause", None),
        ("DELETE", f"/api/v1/subscriptions/{NIK}", None),
    ]:
        response = await service.admin.request(method, path, params=params)
        answers.append(((method, path, params), response.status_code, response.text))
    federation_token = await service.issue_token(name="fspmi-office", role=Role.FEDERATION, federation="FSPMI")
    async with service.as_token(federation_token) as fspmi:
        for path in ("/api/v1/deliveries", "/api/v1/subscriptions"):
            response = await fspmi.get(path, params={"federation": NIK})
            answers.append((("GET", path, "as FSPMI"), response.status_code, response.text))
    not_refused = [answer for answer in answers if answer[1] not in (403, 404, 405, 422)]
    assert not_refused == []
    echoed = [answer for answer in answers if NIK in answer[2] or UNKNOWN_FEDERATION in answer[2] or NIK[:8] in answer[2]]
    assert echoed == []
    assert caplog.records and NIK not in service_logs(caplog) and UNKNOWN_FEDERATION not in service_logs(caplog)
    assert (await service.admin.get("/api/v1/subscriptions")).json() == []


async def test_a_webhook_host_that_does_not_resolve_is_not_named(isolated_settings, namespace):
    async with running_service(make_settings(isolated_settings, namespace, allow_private_webhooks=False)) as service:
        response = await service.admin.post("/api/v1/subscriptions", json={"channel": webhook(f"https://{NIK}.invalid/hook")})
    assert response.status_code == 422
    assert response.json()["detail"] == "channel.url: the URL's host does not resolve"


async def test_a_description_with_a_phone_number_is_refused_by_its_kind(service):
    response = await service.admin.post("/api/v1/subscriptions", json={"channel": webhook(HOOK), "description": "Pak Budi 0812 1005 9887"})
    assert response.status_code == 422
    [item] = response.json()["errors"]
    assert item["field"] == "body.description"
    assert item["reason"] == "contains what looks like a phone number; free text must not hold personal data"
