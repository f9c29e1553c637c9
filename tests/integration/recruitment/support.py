"""Reading what the intake published, and waiting for the relay."""

from __future__ import annotations

from typing import Any

from organising_shared.decoding import Rejection, decode_event
from recruitment.config import RecruitmentSettings
from recruitment.outbox import published_up_to
from recruitment.store import OUTBOX
from tests.integration.helpers import eventually, read_topic


async def outbox_events(db) -> int:
    """How many events the outbox holds (a row holds one write's events)."""
    return sum([len(row["events"]) async for row in db[OUTBOX].find({}, {"events.event_id": 1})])


async def outbox_drained(db, *, expected: int, timeout: float = 30.0) -> None:
    """Wait until the outbox holds `expected` events and the relay has marked every one published."""

    async def drained() -> bool:
        last = await db[OUTBOX].find_one({}, sort=[("_id", -1)])
        return await outbox_events(db) == expected and last is not None and await published_up_to(db) == last["_id"]

    await eventually(drained, timeout=timeout, what=f"outbox of {expected} events all published")


async def published(settings: RecruitmentSettings, topic: str, *, expected: int, bootstrap: str | None = None, timeout: float = 30.0) -> list[tuple[Any, Any]]:
    """Every record on `topic` as (record, decoded event), each checked against the v1 contract."""
    records = await read_topic(bootstrap or settings.kafka_bootstrap_servers, topic, expected=expected, timeout=timeout)
    decoded = []
    for record in records:
        event = decode_event(record.value, federations=settings.federations, topic=settings.topics.contract_name(topic))
        assert not isinstance(event, Rejection), event.reason
        decoded.append((record, event))
    return decoded


def assert_no_personal_data(raw: bytes, *secrets: str) -> None:
    for secret in secrets:
        assert secret.encode() not in raw, "personal data found in a published event"
