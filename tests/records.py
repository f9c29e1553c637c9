"""A stand-in for a consumed Kafka record (`organising_shared.projections.RecordLike`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
