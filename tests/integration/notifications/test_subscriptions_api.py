"""The subscriptions API on the running service: who may do what, and what is refused."""

from __future__ import annotations

import pytest

from organising_shared.auth.principal import Role
from tests.integration.notifications.conftest import make_settings, running_service, webhook

pytestmark = pytest.mark.integration

HOOK = "http://127.0.0.1:9/hook"


async def test_admin_creates_lists_pauses_resumes_and_deletes(service):
    channel = webhook(HOOK)
    created = await service.subscribe(
        channel, federation="FSPMI", description="Tim hukum", filters={"event_types": ["ViolationReported"], "sectors": ["cement"]}
    )
    assert created["channel"] == {"type": "webhook", "url": HOOK, "secret_set": True}
    assert created["filters"]["sectors"] == ["cement"] and created["federation"] == "FSPMI"
    email = await service.subscribe({"type": "email", "address": "advokasi@fspmi.example"})
    listed = await service.admin.get("/api/v1/subscriptions")
    assert {row["id"] for row in listed.json()} == {created["id"], email["id"]}
    assert channel["secret"] not in listed.text  # the secret is write-only
    stored = await service.database["subscriptions"].find_one({"_id": created["id"]})
    assert channel["secret"] not in str(stored)  # and sealed at rest
    assert email["federation"] is None

    paused = (await service.admin.post(f"/api/v1/subscriptions/{created['id']}/pause")).json()
    assert paused["paused"] is True
    resumed = (await service.admin.post(f"/api/v1/subscriptions/{created['id']}/resume")).json()
    assert resumed["paused"] is False

    assert (await service.admin.delete(f"/api/v1/subscriptions/{created['id']}")).status_code == 204
    assert (await service.admin.get(f"/api/v1/subscriptions/{created['id']}")).status_code == 404
    assert [row["id"] for row in (await service.admin.get("/api/v1/subscriptions")).json()] == [email["id"]]


async def test_a_federation_sees_and_changes_only_its_own(service):
    fspmi = service.as_token(await service.issue_token(name="fspmi-hooks", role=Role.FEDERATION, federation="FSPMI"))
    spn = service.as_token(await service.issue_token(name="spn-hooks", role=Role.FEDERATION, federation="SPN"))
    own = await service.subscribe(webhook(HOOK), client=fspmi)
    assert own["federation"] == "FSPMI"  # the token's federation is the default owner
    other = await service.subscribe(webhook(HOOK), client=spn)

    assert [row["id"] for row in (await fspmi.get("/api/v1/subscriptions")).json()] == [own["id"]]
    assert (await fspmi.get("/api/v1/subscriptions", params={"federation": "SPN"})).status_code == 403
    for method, path in [
        ("GET", f"/api/v1/subscriptions/{other['id']}"),
        ("POST", f"/api/v1/subscriptions/{other['id']}/pause"),
        ("DELETE", f"/api/v1/subscriptions/{other['id']}"),
    ]:
        assert (await fspmi.request(method, path)).status_code == 404, (method, path)
    assert (await service.admin.get(f"/api/v1/subscriptions/{other['id']}")).json()["paused"] is False

    refused = await fspmi.post("/api/v1/subscriptions", json={"channel": webhook(HOOK), "federation": "SPN"})
    assert refused.status_code == 403
    cross = await fspmi.post("/api/v1/subscriptions", json={"channel": webhook(HOOK), "filters": {"federations": ["SPN"]}})
    assert cross.status_code == 422 and "only FSPMI" in cross.json()["detail"]
    # The admin sees both.
    assert {row["id"] for row in (await service.admin.get("/api/v1/subscriptions")).json()} == {own["id"], other["id"]}


async def test_tokens_are_required_and_viewers_may_not_subscribe(service):
    assert (await service.http.get("/api/v1/subscriptions")).status_code == 401
    assert (await service.http.post("/api/v1/subscriptions", json={"channel": webhook(HOOK)})).status_code == 401
    viewer = service.as_token(await service.issue_token(name="dashboard", role=Role.VIEWER))
    assert (await viewer.get("/api/v1/subscriptions")).status_code == 403
    assert (await viewer.get("/api/v1/deliveries")).status_code == 403


async def test_a_delivery_log_bound_the_store_cannot_hold_is_refused_not_a_server_error(service):
    # Found by tests/fuzz: year 1 with a positive offset is before year 1 in UTC (OverflowError, 500).
    for name in ("since", "until"):
        response = await service.admin.get("/api/v1/deliveries", params={name: "0001-01-01T00:00:00+00:01"})
        assert response.status_code == 422, response.text
        assert [item["field"] for item in response.json()["errors"]] == [f"query.{name}"]
    assert (await service.admin.get("/api/v1/deliveries", params={"since": "0001-01-01T00:00:00+00:00"})).json() == []


BAD_BODIES = [
    ({"channel": webhook("not a url")}, "url"),
    ({"channel": webhook("ftp://files.example/hook")}, "url"),
    ({"channel": webhook(HOOK, secret="short")}, "secret"),
    ({"channel": {"type": "email", "address": "not-an-address"}}, "address"),
    ({"channel": {"type": "pigeon", "address": "x"}}, "channel"),
    ({"channel": webhook(HOOK), "filters": {"sectors": ["textiles"]}}, "sectors"),
    ({"channel": webhook(HOOK), "filters": {"event_types": ["MemberPromoted"]}}, "event_types"),
    ({"channel": webhook(HOOK), "filters": {"categories": ["parking"]}}, "categories"),
    (
        {"channel": webhook(HOOK), "filters": {"federations": ["FSPMI", "NOPE"]}},
        "filters.federations.1: is not one of the configured federations",
    ),
    ({"channel": webhook(HOOK), "filters": {"colour": ["red"]}}, "colour"),
    ({"channel": webhook(HOOK), "federation": "NOPE"}, "federation: is not one of the configured federations"),
]


async def test_each_bad_subscription_is_refused_with_a_reason(service):
    wrong = []
    for body, named in BAD_BODIES:
        response = await service.admin.post("/api/v1/subscriptions", json=body)
        if response.status_code != 422 or named not in response.text:
            wrong.append((body, response.status_code, response.text))
    assert wrong == []
    assert (await service.admin.get("/api/v1/subscriptions")).json() == []


async def test_private_and_loopback_webhooks_are_refused_unless_the_operator_allows_them(isolated_settings, namespace):
    async with running_service(make_settings(isolated_settings, namespace, allow_private_webhooks=False)) as service:
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.0.0.5/hook",
            "http://169.254.169.254/latest",
            "http://[::1]/x",
        ]:
            response = await service.admin.post("/api/v1/subscriptions", json={"channel": webhook(url)})
            assert response.status_code == 422, url
            assert "webhooks must reach a public address" in response.json()["detail"], url
        assert (await service.admin.get("/api/v1/subscriptions")).json() == []


async def test_openapi_documents_the_api(service):
    spec = (await service.http.get("/openapi.json")).json()
    assert {
        "/api/v1/subscriptions",
        "/api/v1/subscriptions/{subscription_id}/pause",
        "/api/v1/deliveries",
        "/api/v1/deliveries/{delivery_id}/retry",
    } <= set(spec["paths"])
    assert "WebhookChannelCreate" in spec["components"]["schemas"]
