"""A 201 means the event reaches Kafka even if Kafka is down at that moment: exactly once, when it returns.

Kafka is down when the service starts, then comes up, then goes away again while the relay is
connected, and comes back: every write is on the topics once.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from organising_shared.devstack.kafka_node import KafkaNode
from recruitment.main import create_app
from recruitment.outbox import published_up_to
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_drained, outbox_events, published

pytestmark = pytest.mark.integration


async def test_writes_while_kafka_is_down_are_published_exactly_once_when_it_returns(recruitment_settings, tokens, db, tmp_path):
    kafka = KafkaNode(tmp_path / "kafka")  # its ports are chosen; the broker is not running yet
    settings = recruitment_settings.model_copy(update={"kafka_bootstrap_servers": kafka.bootstrap_servers, "relay_retry_seconds": 0.5})
    app = create_app(settings)
    auth = Tokens.header(tokens.fspmi)
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://recruitment") as client:
                # At once: they share group transactions (group_commit), and each must still be published once.
                answers = list(
                    await asyncio.gather(
                        *(client.post("/api/v1/members", json=payloads.member(workplace_id=f"wp-{i % 3}"), headers=auth) for i in range(12))
                    )
                )
                case = await client.post("/api/v1/violations", json=payloads.violation(), headers=auth)
                answers.append(case)
                progress = {"stage": "mediation", "changed_on": "2026-03-20"}
                answers.append(await client.post(f"/api/v1/violations/{case.json()['case_id']}/progress", json=progress, headers=auth))
                assert [answer.status_code for answer in answers] == [201] * 14
                assert (await client.get("/healthz")).status_code == 200
                assert await outbox_events(db) == 14 and await published_up_to(db) == 0

                kafka.launch()
                await asyncio.to_thread(kafka.wait_ready, timeout=180)
                await outbox_drained(db, expected=14, timeout=120)

                # Kafka goes away while the relay is connected, and comes back.
                await asyncio.to_thread(kafka.stop)
                answers += await asyncio.gather(
                    *(client.post("/api/v1/members", json=payloads.member(workplace_id=f"wp-{i % 3}"), headers=auth) for i in range(6))
                )
                assert [answer.status_code for answer in answers[14:]] == [201] * 6
                kafka.launch()  # same data and ports: the broker keeps what it had
                await asyncio.to_thread(kafka.wait_ready, timeout=180)
                await outbox_drained(db, expected=20, timeout=180)
        topics = settings.topics
        membership = await published(settings, topics.membership, expected=18, bootstrap=kafka.bootstrap_servers)
        violations = await published(settings, topics.violations, expected=2, bootstrap=kafka.bootstrap_servers)
    finally:
        await asyncio.to_thread(kafka.stop)
    written = {answer.json()["event_id"] for answer in answers}
    delivered = [str(event.event_id) for _, event in membership + violations]
    assert sorted(delivered) == sorted(written), "an event was lost or published twice"
    reported, progressed = sorted(violations, key=lambda pair: pair[0].offset)
    assert (reported[1].event_type, progressed[1].event_type) == ("ViolationReported", "ViolationCaseProgressed")
