"""Operators can see it working: each service's /metrics moves when events flow, and one trace
goes from the HTTP request through the outbox and Kafka to both consumers.

The three services run in this process (their real lifespans) against the real broker and
store. prometheus-client has one registry per process, so each scrape also shows the other two
services' series: every check names its own service's labels.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from notifications.config import NotificationsSettings
from organising_shared.auth import Role, TokenStore
from organising_shared.events import EVENT_ADAPTER, Envelope
from organising_shared.mongo import make_mongo_client
from recruitment import outbox
from recruitment.config import RecruitmentSettings
from recruitment.main import create_app as recruitment_app
from recruitment.outbox_metrics import refresh_outbox_backlog
from recruitment.store import OUTBOX
from reporting.config import ReportingSettings
from tests.integration.helpers import eventually, sample
from tests.integration.notifications.conftest import (
    ADMIN_TOKEN,  # the notifications client sends it
    webhook,
)
from tests.integration.notifications.conftest import make_settings as notifications_settings
from tests.integration.notifications.conftest import running_service as running_notifications
from tests.integration.notifications.receivers import webhook_receiver
from tests.integration.recruitment import payloads
from tests.integration.reporting.support import running_service as running_reporting
from tests.unit.notifications import events as examples
from tests.unit.shared.observability.spans import recorded_spans

pytestmark = pytest.mark.integration


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_metrics_move_and_one_trace_runs_from_the_request_to_both_consumers(isolated_settings, namespace):
    base = {**isolated_settings.model_dump(exclude={"admin_token"}), "admin_token": ADMIN_TOKEN}
    recruitment = RecruitmentSettings(**base, database=f"{namespace}_recruitment")
    reporting = ReportingSettings(**base, database=f"{namespace}_reporting", consumer_group=f"{namespace}-reporting")
    notifications: NotificationsSettings = notifications_settings(isolated_settings, namespace)
    mongo = make_mongo_client(recruitment.mongodb_url)
    federation_token = await TokenStore(mongo[recruitment.auth_database]["tokens"]).issue(
        name="fspmi", role=Role.FEDERATION, federation="FSPMI"
    )
    app = recruitment_app(recruitment)
    with recorded_spans() as spans:
        async with (
            webhook_receiver() as receiver,
            running_notifications(notifications) as notifier,
            running_reporting(reporting) as reporter,
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://recruitment") as intake,
        ):
            await notifier.subscribe(webhook(receiver.url("/ok/organisers")))
            delivered_before = (
                sample(await scrape(notifier.http), "organising_delivery_attempts_total", channel="webhook", outcome="delivered") or 0
            )
            written = await intake.post(
                "/api/v1/violations",
                json=payloads.violation(),
                headers={"Authorization": f"Bearer {federation_token}", "X-Request-ID": "obs-test-1"},
            )
            assert written.status_code == 201, written.text
            assert written.headers["x-request-id"] == "obs-test-1"

            # recruitment: the request's latency, by route template; the outbox drains to zero.
            text = await scrape(intake)
            assert (
                sample(text, "organising_http_request_duration_seconds_count", method="POST", route="/api/v1/violations", status="201") or 0
            ) >= 1

            async def outbox_drained() -> bool:
                text = await scrape(intake)
                return (
                    sample(text, "organising_outbox_events_waiting") == 0 and sample(text, "organising_outbox_oldest_waiting_seconds") == 0
                )

            await eventually(outbox_drained, what="the outbox drained")

            # reporting: the event applied, a batch counted, no lag left on the violations topic.
            group = reporting.consumer_group

            async def reporting_applied() -> bool:
                text = await scrape(reporter)
                lag = [
                    sample(text, "organising_consumer_lag", group=group, topic=reporting.topics.violations, partition=str(p))
                    for p in range(reporting.topic_partitions)
                ]
                return (
                    (sample(text, "organising_projection_events_total", projection=group) or 0) >= 1
                    and (sample(text, "organising_projection_batch_records_count", projection=group) or 0) >= 1
                    and any(value is not None for value in lag)
                    and all(value in (None, 0) for value in lag)
                )

            await eventually(reporting_applied, timeout=30, what="reporting applied the event, with its lag at 0")

            # notifications: the webhook delivered, counted by outcome.
            async def delivered() -> bool:
                text = await scrape(notifier.http)
                return (
                    sample(text, "organising_delivery_attempts_total", channel="webhook", outcome="delivered") or 0
                ) >= delivered_before + 1

            await eventually(delivered, timeout=30, what="the delivery counted")

            # One trace: the request's server span; the outbox row's traceparent; each consumer's batch span links to it.
            request_span = next(span for span in spans.get_finished_spans() if span.name == "POST /api/v1/violations")
            trace_id = request_span.context.trace_id
            row = await mongo[recruitment.database][OUTBOX].find_one({})
            traceparent = row["events"][0].get("traceparent") or row.get("traceparent")
            assert traceparent.split("-")[1] == format(trace_id, "032x")

            def linked(projection: str) -> bool:
                return any(
                    span.name == f"{projection} apply" and any(link.context.trace_id == trace_id for link in span.links)
                    for span in spans.get_finished_spans()
                )

            async def both_linked() -> bool:
                return linked(group) and linked(notifications.consumer_group)

            await eventually(both_linked, what="both consumers' batch spans linked to the request's trace")
    await mongo.close()


async def test_the_outbox_backlog_counts_events_waiting_and_the_oldest_rows_age(isolated_settings, namespace):
    """Against the real store, with no relay running: rows written wait; publishing empties it."""
    from prometheus_client import REGISTRY

    settings = RecruitmentSettings(**isolated_settings.model_dump(), database=f"{namespace}_recruitment")
    mongo = make_mongo_client(settings.mongodb_url)
    db = mongo[settings.database]
    try:
        for count in (1, 3):
            async with mongo.start_session() as session, await session.start_transaction():
                await outbox.append(db, session, [outbox.Outgoing(_recruited()) for _ in range(count)])
        # The first row was written a minute ago (as if the relay had been away since).
        first = await db[OUTBOX].find_one({}, sort=[("written_ns", 1)])
        await db[OUTBOX].update_one({"_id": first["_id"]}, {"$set": {"at": datetime.now(UTC) - timedelta(seconds=60)}})
        await refresh_outbox_backlog(db)  # not numbered yet
        assert REGISTRY.get_sample_value("organising_outbox_events_waiting") == 4
        assert REGISTRY.get_sample_value("organising_outbox_oldest_waiting_seconds") >= 60

        assert await outbox.number_waiting(db, most_rows=10) == 2
        rows = [row["seq"] async for row in db[OUTBOX].find({}, sort=[("seq", 1)])]
        assert rows == [1, 2], "numbered in the order written, one number per event"
        await refresh_outbox_backlog(db)
        assert REGISTRY.get_sample_value("organising_outbox_events_waiting") == 4
        assert REGISTRY.get_sample_value("organising_outbox_oldest_waiting_seconds") >= 60

        await outbox.mark_published(db, rows[0])
        await refresh_outbox_backlog(db)
        assert REGISTRY.get_sample_value("organising_outbox_events_waiting") == 3
        assert REGISTRY.get_sample_value("organising_outbox_oldest_waiting_seconds") < 60

        await outbox.mark_published(db, rows[1])
        await refresh_outbox_backlog(db)
        assert REGISTRY.get_sample_value("organising_outbox_events_waiting") == 0
        assert REGISTRY.get_sample_value("organising_outbox_oldest_waiting_seconds") == 0
    finally:
        await mongo.close()


def _recruited() -> Envelope:
    return EVENT_ADAPTER.validate_python({**examples.member_recruited(), "event_id": str(uuid.uuid4())})
