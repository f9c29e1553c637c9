"""A poison record in the reporting service's partition while it restarts: a `ViolationCaseClosed`
with `recovered_idr` = 10**20 (more than a 64-bit integer holds, so the store cannot take it). It
is dead-lettered on the namespace's `organising.deadletter.v1`, and the valid events behind it in
the same partition are counted.

Since main bounds money at 10**15 (docs/contract.md) the record is refused when decoded; before
that it passed decoding and the store refused it in every retry of its batch, which stopped the
consumer. The test holds either way: it checks the dead letter and what follows, not the path."""

from __future__ import annotations

import base64
import json

import pytest
from aiokafka import AIOKafkaProducer

from tests.faults.checks import (
    live_equals_rebuild,
    reporting_caught_up,
    reporting_settings_of,
)
from tests.integration.helpers import as_json, eventually, read_topic
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import applied_offsets

pytestmark = [pytest.mark.integration, pytest.mark.faults]

KEY = b"wp-poison"  # one workplace: the poison and the events after it share a partition


async def send_in_order(bootstrap_servers: str, topic: str, events: list[dict]) -> list[tuple[int, int]]:
    """Publish with one key, in order; returns each record's (partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        return [((m := await producer.send_and_wait(topic, as_json(event), key=KEY)).partition, m.offset) for event in events]
    finally:
        await producer.stop()


async def test_a_restart_with_a_poison_record_in_the_partition_dead_letters_it_and_counts_what_follows(
    isolated_settings, namespace, service
):
    settings = reporting_settings_of(isolated_settings, namespace)
    topic = settings.topics.violations
    reporting = service("reporting")
    reporting.start()
    await reporting.healthy()
    await send_in_order(settings.kafka_bootstrap_servers, topic, [b.violation_reported("poisoned", workplace="wp-poison")])

    async def applied(count: int) -> bool:
        return await applied_offsets(settings) >= count

    await eventually(lambda: applied(1), timeout=60, what="the case report applied")
    reporting.kill()
    # Published while the service is down: at its restart the poison is the next record to read.
    poison = b.case_closed("poisoned", "won", recovered=10**20)
    after = [b.violation_reported("after", workplace="wp-poison"), b.case_closed("after", "won")]
    [(partition, poison_offset), *_] = await send_in_order(settings.kafka_bootstrap_servers, topic, [poison, *after])
    reporting.start()
    await reporting.healthy()

    letters = [
        json.loads(record.value)
        for record in await read_topic(settings.kafka_bootstrap_servers, settings.topics.deadletter, expected=1, timeout=90)
    ]
    ours = [letter for letter in letters if (letter["topic"], letter["partition"], letter["offset"]) == (topic, partition, poison_offset)]
    assert ours, f"no dead letter for the poison record at {topic}[{partition}]@{poison_offset}: {letters}"
    assert {letter["consumer"] for letter in ours} == {"reporting"}
    print(f"dead-lettered: {ours[0]['reason']}")
    assert json.loads(base64.b64decode(ours[0]["original_value_base64"]))["event_id"] == poison["event_id"]

    await reporting_caught_up(settings, timeout=90)
    totals = await live_equals_rebuild(settings)
    # The case closed after the poison counts; the poisoned case was reported, never resolved.
    assert totals["cases_resolved"] == 1
    assert reporting.process.poll() is None, "the service exited on the poison record"
