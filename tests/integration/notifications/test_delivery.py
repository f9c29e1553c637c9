"""Delivery: retries with backoff, the delivery log, manual retry, bad receivers, redelivery,
and a hanging receiver that does not hold up the others."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.helpers import as_json, eventually, produce
from tests.integration.notifications.conftest import make_settings, running_service, webhook
from tests.integration.notifications.receivers import garbage_server, webhook_receiver
from tests.integration.notifications.waiting import consumed, settled
from tests.unit.notifications import events

pytestmark = pytest.mark.integration


async def send(infrastructure, service, *documents) -> None:
    await produce(infrastructure.kafka_bootstrap_servers, service.settings.topics.violations, [(b"wp-1", as_json(d)) for d in documents])


async def test_receiver_failing_twice_then_succeeding_gets_exactly_one_successful_delivery(service, infrastructure):
    async with webhook_receiver() as receiver:
        subscription = await service.subscribe(webhook(receiver.url("/flaky/2/legal")))
        event = events.violation_reported()
        await send(infrastructure, service, event)
        await consumed(service.database, {service.settings.topics.violations: 1})
        await settled(service.database)
        assert [request.status for request in receiver.requests] == [500, 500, 200]
        assert len({request.headers["x-organising-delivery"] for request in receiver.requests}) == 1
        assert len({request.body for request in receiver.requests}) == 1  # a retry sends the same notice

        log = (await service.admin.get("/api/v1/deliveries", params={"subscription_id": subscription["id"]})).json()
        assert len(log) == 1
        row = log[0]
        assert row["id"] == f"{subscription['id']}:{event['event_id']}"
        assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, None)
        # Compared as times, not strings: ISO 8601 leaves out a fraction of a second that is zero.
        first, last, delivered = (datetime.fromisoformat(row[key]) for key in ("first_attempt_at", "last_attempt_at", "delivered_at"))
        assert first <= last <= delivered
        assert row["last_duration_ms"] is not None and row["next_attempt_at"] is None
        assert (await service.admin.get("/api/v1/deliveries", params={"status": "failed"})).json() == []


async def test_delivery_failing_every_attempt_is_recorded_as_failed_and_can_be_retried_by_hand(service, infrastructure):
    async with webhook_receiver() as receiver:
        # Fails 3 times (the limit in these tests), then would succeed.
        subscription = await service.subscribe(webhook(receiver.url("/flaky/3/hook")), federation="FSPMI")
        await send(infrastructure, service, events.violation_reported())
        failed = await eventually(lambda: _rows(service, status="failed"), what="delivery recorded as failed")
        assert len(failed) == 1 and failed[0]["attempts"] == 3
        assert failed[0]["last_error"] == "the receiver answered HTTP 500"
        assert len(receiver.requests) == 3

        delivery_id = failed[0]["id"]
        retried = await service.admin.post(f"/api/v1/deliveries/{delivery_id}/retry")
        assert retried.status_code == 202 and retried.json()["status"] in ("pending", "sending", "delivered")
        delivered = await eventually(lambda: _rows(service, status="delivered"), what="manually retried delivery delivered")
        assert delivered[0]["id"] == delivery_id and delivered[0]["manual_retries"] == 1
        assert [request.status for request in receiver.requests] == [500, 500, 500, 200]
        conflict = await service.admin.post(f"/api/v1/deliveries/{delivery_id}/retry")
        assert conflict.status_code == 409 and "only a failed delivery" in conflict.json()["detail"]

        # The log is filterable, and a federation sees only its own deliveries.
        assert [row["id"] for row in await _rows(service, federation="FSPMI")] == [delivery_id]
        assert await _rows(service, federation="SPN") == []
        assert await _rows(service, notice_type="ViolationCaseClosed") == []
        assert (await service.admin.get("/api/v1/deliveries", params={"status": "lost"})).status_code == 422
        assert subscription["id"] in delivery_id


async def _rows(service, **params):
    return (await service.admin.get("/api/v1/deliveries", params=params)).json()


async def test_receivers_answering_garbage_or_hanging_are_failed_attempts_and_the_others_are_served(
    isolated_settings, namespace, infrastructure
):
    settings = make_settings(isolated_settings, namespace, delivery_attempt_timeout_seconds=1.0)
    async with webhook_receiver() as receiver, garbage_server() as garbage_url, running_service(settings) as service:
        broken = await service.subscribe(webhook(garbage_url))
        hanging = await service.subscribe(webhook(receiver.url("/hang/slow")))
        unreachable = await service.subscribe(webhook("http://127.0.0.1:9/closed-port"))
        await service.subscribe(webhook(receiver.url("/ok/fine")))
        event = events.violation_reported()
        await send(infrastructure, service, event)
        await consumed(service.database, {service.settings.topics.violations: 1})
        await settled(service.database)
        assert [request.json["event_id"] for request in receiver.at("/ok/fine")] == [event["event_id"]]
        errors = {}
        for subscription in (broken, hanging, unreachable):
            row = (await _rows(service, subscription_id=subscription["id"]))[0]
            assert row["status"] == "failed" and row["attempts"] == 3, row
            errors[subscription["id"]] = row["last_error"]
        assert errors[broken["id"]] == "the answer is not valid HTTP (RemoteProtocolError)"
        assert errors[hanging["id"]] == "no complete answer within 1 s"
        assert errors[unreachable["id"]].startswith("ConnectError"), errors
        assert len(receiver.at("/hang/slow")) == 3
        assert (await service.http.get("/healthz")).status_code == 200


async def test_redelivered_event_and_restarted_service_deliver_once(isolated_settings, namespace, infrastructure):
    settings = make_settings(isolated_settings, namespace)
    event = events.violation_reported()
    async with webhook_receiver() as receiver:
        async with running_service(settings) as service:
            await service.subscribe(webhook(receiver.url("/ok/once")))
            await send(infrastructure, service, event, event)
            await consumed(service.database, {settings.topics.violations: 2})
            await settled(service.database)
        # A fresh process with the same group and store, and the same event produced again.
        async with running_service(settings) as service:
            await send(infrastructure, service, event)
            await consumed(service.database, {settings.topics.violations: 3})
            await settled(service.database)
            assert await service.database["deliveries"].count_documents({}) == 1
        assert [request.status for request in receiver.at("/ok/once")] == [200]


async def test_a_receiver_hanging_30_s_does_not_delay_another_receivers_notification(isolated_settings, namespace, infrastructure):
    # The attempt timeout is longer than the hang: the hanging attempts really hang for 30 s.
    settings = make_settings(isolated_settings, namespace, delivery_attempt_timeout_seconds=40.0, delivery_per_receiver_concurrency=2)
    async with webhook_receiver() as hanging, webhook_receiver() as healthy, running_service(settings) as service:
        await service.subscribe(webhook(hanging.url("/hang/forever")))
        prompt = await service.subscribe(webhook(healthy.url("/ok/prompt")))
        first = events.violation_reported()
        await send(infrastructure, service, first)
        await eventually(lambda: _arrived(hanging, 1), what="the hanging receiver holding an attempt")
        # Now, while that attempt hangs, more reports: more than the hanging receiver may hold.
        reports = [events.violation_reported() for _ in range(4)]
        await send(infrastructure, service, *reports)
        await eventually(lambda: _arrived(healthy, 1 + len(reports)), timeout=20, what="every report at the healthy receiver")
        await eventually(lambda: _arrived(hanging, 2), what="the hanging receiver holding its two attempts")

        rows = {row["event_id"]: row async for row in service.database["deliveries"].find({"subscription_id": prompt["id"]})}
        lags = [request.arrived_at - rows[request.json["event_id"]]["created_at"].timestamp() for request in healthy.requests]
        assert len(lags) == 1 + len(reports)
        assert max(lags) < 1.0, lags
        # Each hanging attempt is still open: nothing was answered to the service yet.
        assert all(request.status is None for request in hanging.requests)


async def _arrived(receiver, count: int) -> bool:
    return len(receiver.requests) >= count


async def test_deleting_a_subscription_cancels_its_queued_deliveries(isolated_settings, namespace, infrastructure):
    # Long backoff: after the first failure the row waits, queued, for its next attempt.
    settings = make_settings(isolated_settings, namespace, delivery_backoff_base_seconds=60.0, delivery_backoff_max_seconds=60.0)
    async with webhook_receiver() as receiver, running_service(settings) as service:
        subscription = await service.subscribe(webhook(receiver.url("/fail/gone")))
        await send(infrastructure, service, events.violation_reported())
        waiting = await eventually(lambda: _rows(service, status="retrying"), what="delivery waiting for a retry")
        assert (await service.admin.delete(f"/api/v1/subscriptions/{subscription['id']}")).status_code == 204
        row = (await service.admin.get(f"/api/v1/deliveries/{waiting[0]['id']}")).json()
        assert (row["status"], row["last_error"], row["attempts"]) == ("cancelled", "the subscription was deleted", 1)
        assert (await service.admin.post(f"/api/v1/deliveries/{row['id']}/retry")).status_code == 409
        assert len(receiver.requests) == 1
