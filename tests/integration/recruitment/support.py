"""Reading what the intake published, and waiting for the relay."""

from __future__ import annotations

from typing import Any

from organising_shared.decoding import Rejection, decode_event
from recruitment.config import RecruitmentSettings
from recruitment.store import OUTBOX
from tests.integration.helpers import eventually, read_topic


async def outbox_drained(db, *, expected: int, timeout: float = 30.0) -> None:
    """Wait until the outbox holds `expected` rows and the relay has marked every one sent."""

    async def drained() -> bool:
        total = await db[OUTBOX].count_documents({})
        unsent = await db[OUTBOX].count_documents({"sent_at": None})
        return total == expected and unsent == 0

    await eventually(drained, timeout=timeout, what=f"outbox of {expected} rows all sent")


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
