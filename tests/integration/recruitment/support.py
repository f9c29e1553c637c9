"""Reading what the intake published, and waiting for the relay."""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from aiokafka import AIOKafkaConsumer

from organising_shared.decoding import Rejection, decode_event
from recruitment.config import RecruitmentSettings
from recruitment.outbox import all_published
from recruitment.store import OUTBOX
from tests.integration.helpers import eventually, read_topic


async def outbox_events(db) -> int:
    """How many events the outbox holds (a row holds one write's events)."""
    return sum([len(row["events"]) async for row in db[OUTBOX].find({}, {"events.event_id": 1})])


async def outbox_drained(db, *, expected: int, timeout: float = 30.0) -> None:
    """Wait until the outbox holds `expected` events and the relay has marked every one published."""

    async def drained() -> bool:
        return await outbox_events(db) == expected and await all_published(db)

    await eventually(drained, timeout=timeout, what=f"outbox of {expected} events all published")


async def read_to_end(bootstrap: str, topic: str, *, timeout: float = 30.0) -> list[Any]:
    """Every record on `topic` up to its end offsets now: a duplicate anywhere in the log is seen."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        records: list[Any] = []
        ends = None
        while True:
            assert time.monotonic() < deadline, f"could not read {topic} to its end within {timeout} s"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
            partitions = consumer.assignment()
            if not partitions:
                continue
            ends = ends or await consumer.end_offsets(list(partitions))
            positions = {p: await consumer.position(p) for p in partitions}
            if all(positions[p] >= ends[p] for p in partitions):
                return records
    finally:
        await consumer.stop()


async def published(
    settings: RecruitmentSettings,
    topic: str,
    *,
    expected: int,
    bootstrap: str | None = None,
    timeout: float = 30.0,
    federations: Collection[str] | None = None,
) -> list[tuple[Any, Any]]:
    """Every record on `topic` as (record, decoded event), each checked against the v1 contract.

    Waits for `expected` records, then reads the whole topic to its end, so that any extra copy
    is returned too and the caller's exact count can fail. `federations`: the envelope codes
    accepted (the configured federations unless named: the confederation publishes too).
    Programme codes are checked against the configured ones.
    """
    bootstrap = bootstrap or settings.kafka_bootstrap_servers
    await read_topic(bootstrap, topic, expected=expected, timeout=timeout)
    records = await read_to_end(bootstrap, topic, timeout=timeout)
    decoded = []
    for record in records:
        event = decode_event(
            record.value,
            federations=federations or settings.federations,
            programmes=settings.programme_codes,
            topic=settings.topics.contract_name(topic),
        )
        assert not isinstance(event, Rejection), event.reason
        decoded.append((record, event))
    return decoded


def assert_no_personal_data(raw: bytes, *secrets: str) -> None:
    for secret in secrets:
        assert secret.encode() not in raw, "personal data found in a published event"
