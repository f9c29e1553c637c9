"""One bad message never stops the notifications consumer: a case amount beyond the contract's
bounds is dead-lettered with its reason, and the valid event after it is applied."""

from __future__ import annotations

import json

import pytest

from tests.integration.helpers import as_json, produce, read_topic
from tests.integration.notifications.conftest import make_settings, running_service
from tests.integration.notifications.waiting import consumed
from tests.unit.notifications import events

pytestmark = pytest.mark.integration

HUGE = 10**20  # beyond the store's 64-bit integers


async def test_a_huge_amount_is_dead_lettered_and_the_next_event_is_applied(isolated_settings, namespace, infrastructure):
    settings = make_settings(isolated_settings, namespace)
    topics = settings.topics
    reported = events.violation_reported()
    case_id = reported["data"]["case_id"]
    huge_close = events.case_closed(case_id)
    huge_close["data"]["recovered_idr"] = HUGE
    next_close = events.case_closed(case_id)
    async with running_service(settings) as service:
        await produce(
            infrastructure.kafka_bootstrap_servers,
            topics.violations,
            [(case_id.encode(), as_json(reported)), (case_id.encode(), as_json(huge_close)), (case_id.encode(), as_json(next_close))],
        )
        await consumed(service.database, {topics.violations: 3})
        records = await read_topic(infrastructure.kafka_bootstrap_servers, topics.deadletter, expected=1)
        letters = [json.loads(record.value) for record in records]
        health = await service.http.get("/healthz")
        case = await service.database["cases"].find_one({"case_id": case_id})
    assert health.status_code == 200
    assert "data.recovered_idr" in letters[0]["reason"] and str(HUGE) not in letters[0]["reason"]
    assert case["open"] is False  # the valid close after the refused one was applied
