"""What must hold after every fault: the reporting service has applied every record on its topics,
its live figures equal a rebuild from scratch and what was published, and every write the intake
accepted is on Kafka exactly once."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from organising_shared.mongo import make_mongo_client
from organising_shared.projections import OFFSETS_COLLECTION
from organising_shared.settings import OrganisingSettings
from reporting.config import ReportingSettings
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually
from tests.integration.recruitment.support import read_to_end
from tests.integration.reporting.support import applied_offsets, counters, year_totals

INTAKE_PRODUCER = "kspi-recruitment"  # the envelope's `producer` of the recruitment service's events


def reporting_settings_of(settings: OrganisingSettings, namespace: str) -> ReportingSettings:
    """The settings of the reporting processes of `namespace` (see `services.service_env`)."""
    return ReportingSettings(
        **settings.model_dump(exclude={"admin_token"}), database=f"{namespace}_reporting", consumer_group=f"{namespace}-reporting"
    )


async def records_on(bootstrap_servers: str, topics: list[str]) -> int:
    """How many records the topics hold now (their end offsets, summed over partitions)."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [tp for topic in topics for tp in _partitions(consumer, topic)]
        assert partitions, f"no partitions known for {topics}"
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, partition) for partition in sorted(consumer.partitions_for_topic(topic) or ())]


async def reporting_caught_up(settings: ReportingSettings, *, timeout: float) -> int:
    """Wait until the live projection has applied every record on its three topics."""
    topics = settings.topics
    total = await records_on(settings.kafka_bootstrap_servers, [topics.membership, topics.violations, topics.targets])

    async def applied_all() -> bool:
        return await applied_offsets(settings) >= total

    await eventually(applied_all, timeout=timeout, interval=0.5, what=f"reporting applied all {total} records")
    return total


async def live_equals_rebuild(settings: ReportingSettings) -> dict[str, int]:
    """Rebuild from scratch; the rebuilt counter documents must equal the live ones. Returns the
    year's totals of the live figures."""
    live = await counters(settings)
    rebuilt = await rebuild(settings)
    assert await counters(settings, rebuilt.generation) == live, "live figures differ from a rebuild from scratch"
    return year_totals(live)


async def each_accepted_write_once(
    settings: OrganisingSettings, accepted: list[str], *, unanswered: int, repeats_allowed: bool = False, timeout: float = 120
) -> int:
    """Every event id the intake answered 201 for reaches the membership topic, exactly once; no
    intake event is there twice; events no one was told about are at most the unanswered writes.
    Returns how many intake events (distinct event ids) the topic holds.

    `repeats_allowed`: a second record with the same `event_id` is accepted (and printed). That is
    the relay's documented edge (recruitment README, "Exactly once, and its edge"): when the store
    cannot take the relay's new position after Kafka acknowledged a batch, the batch is sent again.
    Consumers drop the repeat by `event_id`; the figures are checked separately.
    """

    async def intake_events() -> Counter | None:
        records = await read_to_end(settings.kafka_bootstrap_servers, settings.topics.membership, timeout=60)
        seen = Counter(
            event["event_id"] for event in map(_json, (record.value for record in records)) if event.get("producer") == INTAKE_PRODUCER
        )
        return seen if set(accepted) <= set(seen) else None

    # The outbox relay publishes after the 201: wait for it, reading the whole topic each time.
    from_intake = await eventually(intake_events, timeout=timeout, interval=1.0, what=f"all {len(accepted)} accepted writes on Kafka")
    twice = {event_id: n for event_id, n in from_intake.items() if n > 1}
    if repeats_allowed:
        print(f"intake events sent again with the same event_id: {len(twice)}", flush=True)
    else:
        assert not twice, f"intake events on Kafka more than once: {twice}"
    unknown = set(from_intake) - set(accepted)
    assert len(unknown) <= unanswered, f"{len(unknown)} intake events nobody was answered for, only {unanswered} requests unanswered"
    return len(from_intake)


async def projection_applied(mongodb_url: str, database: str, projection: str) -> int:
    """How many records a projection has applied, over all partitions (its stored offsets)."""
    mongo = make_mongo_client(mongodb_url)
    try:
        rows = mongo[database][OFFSETS_COLLECTION].find({"projection": projection})
        return sum([row["offset"] + 1 async for row in rows])
    finally:
        await mongo.close()


def _json(value: bytes) -> dict[str, Any]:
    return json.loads(value)
