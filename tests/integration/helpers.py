"""Helpers for integration tests: a plain producer, a topic reader, polling with a deadline, a
metric read from a `/metrics` page."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], *, timeout: float = 20.0, interval: float = 0.1, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} did not hold within {timeout} s (last value: {last!r})")


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes]]) -> None:
    """Publish with a plain aiokafka producer: not the project's code."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, *, expected: int, timeout: float = 20.0) -> list[Any]:
    """Read a topic from the start until `expected` records have arrived (or fail)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    assert len(records) >= expected, f"expected {expected} records on {topic}, got {len(records)}"
    return records


def as_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in a Prometheus text exposition, or None if it is absent."""
    for family in text_string_to_metric_families(text):
        for series in family.samples:
            if series.name == name and all(series.labels.get(key) == value for key, value in labels.items()):
                return series.value
    return None
