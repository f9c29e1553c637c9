"""SIGKILL, three times, while events flow: the reporting service (figures exact, equal to a
rebuild, every accepted intake write on Kafka once) and the notifications service (one delivery
per event and subscription, every one delivered)."""

from __future__ import annotations

import time

import httpx
import pytest

from notifications.config import NotificationsSettings
from organising_shared.mongo import make_mongo_client
from tests.faults.checks import (
    each_accepted_write_once,
    live_equals_rebuild,
    projection_applied,
    records_on,
    reporting_caught_up,
    reporting_settings_of,
)
from tests.faults.flow import IntakeFlow, KafkaFlow, expected_totals
from tests.faults.services import ADMIN_TOKEN, ServiceProcess
from tests.integration.helpers import eventually
from tests.integration.notifications.receivers import webhook_receiver
from tests.integration.reporting.support import applied_offsets

# Each SIGKILL costs up to a minute: the restarted process's first batch waits for the store to
# drop the killed one's open transaction (SecantusDB's transaction lifetime, 60 s, as MongoDB's).
pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

KILLS = 3
RATE = 200  # events/s onto Kafka


async def kill_while_flowing(process: ServiceProcess, flow: KafkaFlow, applied, *, kills: int, progress: int) -> list[int]:
    """Kill `process` `kills` times, each once it has applied `progress` more records since it
    (re)started, and start it again at once. Returns what had been applied at each kill."""
    at_kill = []
    for _ in range(kills):
        since = await applied()
        await eventually(
            lambda since=since: _advanced(applied, since + progress), timeout=90, interval=0.2, what=f"{process.name} applying again"
        )
        assert not flow.done, f"the flow ended before kill {len(at_kill) + 1}"
        process.kill()
        at_kill.append(await applied())
        print(f"{time.strftime('%H:%M:%S')} {process.name} killed at {at_kill[-1]} applied; {flow.acknowledged} published", flush=True)
        process.start()
        await process.healthy()
    return at_kill


async def _advanced(applied, target: int) -> bool:
    return await applied() >= target


async def test_reporting_killed_three_times_mid_stream_counts_every_event_once(isolated_settings, namespace, service):
    settings = reporting_settings_of(isolated_settings, namespace)
    recruitment, reporting = service("recruitment"), service("reporting")
    recruitment.start()
    reporting.start()
    await recruitment.healthy()
    await reporting.healthy()

    flow = KafkaFlow(settings.kafka_bootstrap_servers, settings.topics, "kill", rate=RATE)
    intake = IntakeFlow(recruitment.url, ADMIN_TOKEN, count=150, rate=4)
    flow.start()
    intake.start()
    at_kill = await kill_while_flowing(reporting, flow, lambda: applied_offsets(settings), kills=KILLS, progress=400)
    await flow.finished(timeout=120)
    await intake.finished(timeout=120)
    events = flow.events
    assert reporting.starts == KILLS + 1 and at_kill == sorted(at_kill)

    intake_events = await each_accepted_write_once(isolated_settings, intake.accepted, unanswered=intake.unanswered)
    assert len(intake.accepted) == 150, f"the intake refused writes with nothing failing: {intake.refused}"
    await reporting_caught_up(settings, timeout=120)
    totals = await live_equals_rebuild(settings)
    expected = expected_totals(events)
    expected["members_recruited"] += intake_events
    assert totals == expected


async def test_notifications_killed_three_times_mid_stream_queue_and_deliver_each_notice_once(isolated_settings, namespace, service):
    notifications = service(
        "notifications",
        ORGANISING_ALLOW_PRIVATE_WEBHOOKS="true",
        # Retries come quickly (a lease of a killed attempt ends after 6 s), and an attempt has
        # 5 s: a loaded machine (load average 24 in one run) made 2 s attempts fail for good.
        ORGANISING_DELIVERY_POLL_SECONDS="0.2",
        ORGANISING_DELIVERY_ATTEMPT_TIMEOUT_SECONDS="5",
        ORGANISING_DELIVERY_LEASE_SECONDS="6",
        ORGANISING_DELIVERY_BACKOFF_BASE_SECONDS="0.2",
        ORGANISING_DELIVERY_BACKOFF_MAX_SECONDS="2",
    )
    database = f"{namespace}_notifications"
    topics = isolated_settings.topics
    # One notice per 20 events: enough deliveries in flight at each kill, few enough for one
    # loopback receiver to take them all within the test.
    noticed = {"ViolationReported"}
    mongo = make_mongo_client(isolated_settings.mongodb_url)
    try:
        async with webhook_receiver() as receiver:
            notifications.start()
            await notifications.healthy()
            async with httpx.AsyncClient(base_url=notifications.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
                channel = {"type": "webhook", "url": receiver.url("/ok/faults"), "secret": "faults-webhook-secret-0123"}
                created = await admin.post("/api/v1/subscriptions", json={"channel": channel, "filters": {"event_types": sorted(noticed)}})
                assert created.status_code == 201, created.text
            subscription = created.json()["id"]

            flow = KafkaFlow(isolated_settings.kafka_bootstrap_servers, topics, "notify", rate=RATE)
            flow.start()
            await kill_while_flowing(
                notifications,
                flow,
                lambda: projection_applied(isolated_settings.mongodb_url, database, "notifications"),
                kills=KILLS,
                progress=400,
            )
            await flow.finished(timeout=120)
            events = flow.events
            total = await records_on(isolated_settings.kafka_bootstrap_servers, [topics.violations, topics.membership, topics.progress])
            await eventually(
                lambda: _advanced(lambda: projection_applied(isolated_settings.mongodb_url, database, "notifications"), total),
                timeout=120,
                interval=0.5,
                what=f"notifications applied all {total} records",
            )

            expected = {f"{subscription}:{event['event_id']}" for event in events if event["event_type"] in noticed}
            deliveries = mongo[database]["deliveries"]
            queued = {row["_id"]: row["status"] async for row in deliveries.find({}, {"status": 1})}
            assert set(queued) == expected, f"{len(set(queued) - expected)} unexpected, {len(expected - set(queued))} missing deliveries"

            async def all_delivered() -> bool:
                return await deliveries.count_documents({"status": "delivered"}) == len(expected)

            async def statuses() -> dict[str, int]:
                return {
                    row["_id"]: row["n"] async for row in await deliveries.aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}])
                }

            try:
                await eventually(all_delivered, timeout=180, interval=0.5, what="every delivery delivered")
            except AssertionError as error:
                raise AssertionError(f"{error}; deliveries by status: {await statuses()}") from None
        received = [request.headers["x-organising-delivery"] for request in receiver.at("/ok/faults")]
        assert set(received) == expected
        # A kill between the receiver's 200 and the recorded outcome sends those again, with the
        # same id (at least once, by design). Outcomes are written in groups, so a kill can catch
        # every attempt then in flight to the receiver, never more: at most its per-receiver
        # concurrency per kill.
        in_flight = NotificationsSettings().delivery_per_receiver_concurrency
        assert len(received) - len(expected) <= KILLS * in_flight
    finally:
        await mongo.close()
