"""What travels through a projection: records as consumed, the valid events among them, and a
batch prepared for its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import TopicPartition

from organising_shared.events import Event

Position = tuple[str, int]  # (topic, partition)


class RecordLike(Protocol):
    """A consumed Kafka record, as far as a projection reads it."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def key(self) -> bytes | None: ...

    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Delivered:
    """A valid event, where it came from, and its record's key and bytes (kept for a dead
    letter, should applying it fail for good): itself a `RecordLike`."""

    event: Event
    topic: str
    partition: int
    offset: int
    key: bytes | None = None
    value: bytes | None = None


@dataclass(frozen=True)
class PreparedBatch:
    """A batch decoded and ready to apply: its valid events, what the projection's `digest` made
    of them ahead of the transaction, and the offsets the batch reaches."""

    delivered: list[Delivered]
    digested: Any
    reached: dict[Position, int]
    # The stored offset of each partition some of whose records were skipped as applied before
    # (a redelivery; or, if the partition now ends below it, a topic recreated: `faststream.topic_behind_offsets`).
    skipped: dict[Position, int] = field(default_factory=dict)


def highest_offsets(records: Sequence[RecordLike | Delivered]) -> dict[Position, int]:
    """The highest offset of each partition among `records`."""
    reached: dict[Position, int] = {}
    for record in records:
        position = (record.topic, record.partition)
        reached[position] = max(reached.get(position, -1), record.offset)
    return reached


def next_positions(records: Sequence[RecordLike]) -> dict[TopicPartition, int]:
    """Kafka's committed offset is the next record to read: one past the highest of each partition."""
    return {TopicPartition(topic, partition): offset + 1 for (topic, partition), offset in highest_offsets(records).items()}
