"""A topic recreated (or emptied) under a projection: its new records have offsets the projection
has already applied, and the skip rule would drop them without a word. The projection refuses to
consume instead, says why in /readyz and in a metric, and moves no figure and no offset."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import applied_offsets, counters, publish_many, running_service

pytestmark = pytest.mark.integration


async def _delete_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])

        async def gone() -> bool:
            return topic not in await admin.list_topics()

        await eventually(gone, timeout=30, what=f"{topic} deleted")
    finally:
        await admin.close()


async def test_the_projection_refuses_to_consume_a_recreated_topic(reporting_settings, infrastructure):
    before = [b.recruited(f"m{i}", workplace="wp-recreated") for i in range(5)]  # one key: one partition
    async with running_service(reporting_settings):
        await publish_many(reporting_settings, before)
        await eventually(lambda: _applied_at_least(reporting_settings, 5), timeout=30, what="the first five applied")
    figures = await counters(reporting_settings)

    await _delete_topic(infrastructure.kafka_bootstrap_servers, reporting_settings.topics.membership)
    async with running_service(reporting_settings) as client:  # creates the topic again, empty
        await publish_many(reporting_settings, [b.recruited(f"new{i}", workplace="wp-recreated") for i in range(2)])

        async def refusing() -> dict:
            answer = await client.get("/readyz")
            return answer.json() if answer.status_code == 503 else {}

        readiness = await eventually(refusing, timeout=30, what="readiness failing on the recreated topic")
        scraped = (await client.get("/metrics")).text
    reason = next(value for key, value in readiness.items() if key.startswith("projection "))
    assert "refuses to consume" in reason and "recreated or lost its data" in reason
    assert f'organising_projection_refusing{{projection="{reporting_settings.consumer_group}"}} 1.0' in scraped
    assert await counters(reporting_settings) == figures  # the two new members were not taken for applied ones
    assert await applied_offsets(reporting_settings) == 5


async def _applied_at_least(settings, expected: int) -> bool:
    return await applied_offsets(settings) >= expected
