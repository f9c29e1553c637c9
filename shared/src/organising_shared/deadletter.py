"""Dead-letter records: every message a service could not accept, with the reason.

The record is JSON on `organising.deadletter.v1`, keyed like the original. The original bytes
travel base64-encoded (they may not even be UTF-8); the reason is also put in a header so that
tools can filter without parsing the value.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from organising_shared.topics import DEADLETTER

# A dead letter must fit in one Kafka message (1 MB by default) whatever it carries: base64
# makes the original a third larger, so at most this much of it is kept.
MAX_KEPT_ORIGINAL_BYTES = 512 * 1024
MAX_KEPT_KEY_BYTES = 4 * 1024  # keys here are ids and sector names; a longer one is cut


class DeadLetter(BaseModel):
    topic: str = Field(description="Topic the message was read from")
    partition: int
    offset: int
    consumer: str = Field(description="The service that refused it", examples=["reporting"])
    reason: str = Field(description="Why, in words a person can act on")
    dead_lettered_at: datetime
    original_key_base64: str | None = None
    original_value_base64: str = Field(description="The message value exactly as received, base64")
    original_value_bytes: int | None = Field(
        default=None, description="Set when the value was too large to keep whole: its full size; only its first 512 KiB are kept"
    )

    @classmethod
    def of(
        cls, *, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None, consumer: str, reason: str
    ) -> DeadLetter:
        value = value or b""
        too_large = len(value) > MAX_KEPT_ORIGINAL_BYTES
        return cls(
            topic=topic,
            partition=partition,
            offset=offset,
            consumer=consumer,
            reason=reason,
            dead_lettered_at=datetime.now(UTC),
            original_key_base64=base64.b64encode(key[:MAX_KEPT_KEY_BYTES]).decode() if key is not None else None,
            original_value_base64=base64.b64encode(value[:MAX_KEPT_ORIGINAL_BYTES]).decode(),
            original_value_bytes=len(value) if too_large else None,
        )

    @property
    def original_value(self) -> bytes:
        return base64.b64decode(self.original_value_base64)


async def publish_dead_letter(producer, letter: DeadLetter, *, key: bytes | None, topic: str = DEADLETTER) -> None:
    """Send and wait for the broker's acknowledgement: the source offset is committed only after.

    `producer` is a FastStream KafkaBroker (or anything with its `publish` signature).
    """
    await producer.publish(
        letter.model_dump_json().encode(),
        topic=topic,
        key=key[:MAX_KEPT_KEY_BYTES] if key is not None else None,
        headers={"reason": letter.reason[:1000], "source-topic": letter.topic, "consumer": letter.consumer},
    )
