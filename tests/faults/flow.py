"""Load while faults happen: federation events published straight onto Kafka at a steady rate,
and member registrations through the recruitment service's HTTP intake.

Both ride out an outage instead of stopping the scenario: the Kafka flow sends a chunk again
(same `event_id`s, so any copy that did land is dropped by the consumers) until it is
acknowledged; the intake flow notes what was accepted (201), refused, or left unanswered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from organising_shared.topics import Topics
from tests.integration.recruitment import payloads
from tests.integration.reporting import builders as b

log = logging.getLogger(__name__)

SECTORS = ("chemical", "garment_textile", "automotive", "metal", "cement")
FEDERATIONS = ("FSPMI", "SPN", "KEP", "ASPEK")


def mixed_event(i: int, tag: str) -> dict[str, Any]:
    """Event number `i` of a stream of distinct members, units and cases, so that each figure is
    known by construction: of every 20 events, 14 recruitments, 2 departures (of members recruited
    earlier in the same 20), 2 units, one case reported and the next event closing it as won.
    Any prefix of the stream is consistent (a departure or closure always follows its start)."""
    sector, federation, workplace = SECTORS[i % 5], FEDERATIONS[i % 4], f"wp-{tag}-{i % 41}"
    kind = i % 20
    if kind < 14:
        return b.recruited(f"{tag}-m{i}", sector=sector, workplace=workplace, federation=federation, on=f"2026-0{1 + i % 6}-1{i % 9}")
    if kind < 16:
        earlier = i - 14  # kinds 0 and 1 of the same twenty: same sector, workplace and federation
        return b.left(
            f"{tag}-m{earlier}",
            on="2026-06-29",
            sector=SECTORS[earlier % 5],
            workplace=f"wp-{tag}-{earlier % 41}",
            federation=FEDERATIONS[earlier % 4],
        )
    if kind < 18:
        return b.unit_established(f"{tag}-u{i}", sector=sector, workplace=workplace, federation=federation)
    if kind == 18:
        return b.violation_reported(f"{tag}-c{i}", sector=sector, workplace=workplace, federation=federation)
    return b.case_closed(f"{tag}-c{i - 1}", "won", on="2026-06-01", federation=FEDERATIONS[(i - 1) % 4])


def mixed_events(count: int, tag: str) -> list[dict[str, Any]]:
    return [mixed_event(i, tag) for i in range(count)]


def expected_totals(events: list[dict[str, Any]]) -> dict[str, int]:
    """What events of `mixed_event` must count as, in the year 2026 (every date is in it)."""
    kinds = Counter(event["event_type"] for event in events)
    return {
        "members_recruited": kinds["MemberRecruited"],
        "members_left": kinds["MemberLeft"],
        "union_units_established": kinds["UnionUnitEstablished"],
        "cases_resolved": kinds["ViolationCaseClosed"],
    }


def key_of(event: dict[str, Any]) -> bytes:
    data = event["data"]
    return (data.get("workplace_id") or data.get("case_id") or data.get("sector")).encode()


@dataclass
class KafkaFlow:
    """Publishes `mixed_event(0, tag)`, `mixed_event(1, tag)`… at `rate` per second, in chunks of a
    tenth of a second's worth, until `stop()` (or `limit` events). `events` is what was published
    (every one acknowledged by the broker once `finished()` returns)."""

    bootstrap_servers: str
    topics: Topics
    tag: str
    rate: float
    limit: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: int = 0
    resent_chunks: int = 0
    _stopping: bool = False
    _task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kafka-flow")

    def stop(self) -> None:
        self._stopping = True

    async def finished(self, timeout: float) -> None:
        """Stop, and wait until everything published so far is acknowledged."""
        assert self._task is not None
        self.stop()
        async with asyncio.timeout(timeout):
            await self._task

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def _run(self) -> None:
        chunk = max(1, int(self.rate / 10))
        started = time.monotonic()
        producer = None
        try:
            while not self._stopping and (self.limit is None or self.acknowledged < self.limit):
                position = self.acknowledged
                if (delay := started + position / self.rate - time.monotonic()) > 0:
                    await asyncio.sleep(delay)
                part = (
                    [mixed_event(i, self.tag) for i in range(position, position + chunk)]
                    if position == len(self.events)
                    else self.events[position:]
                )
                if position == len(self.events):
                    self.events.extend(part)  # from here on this chunk is sent until acknowledged
                try:
                    producer = producer or await self._producer()
                    async with asyncio.timeout(20):
                        futures = [
                            await producer.send(self.topics.for_event_type(e["event_type"]), value=json.dumps(e).encode(), key=key_of(e))
                            for e in part
                        ]
                        await asyncio.gather(*futures)
                except Exception as error:
                    log.info("kafka flow: chunk at %d not acknowledged (%s); sending it again", position, type(error).__name__)
                    self.resent_chunks += 1
                    await self._close(producer)
                    producer = None
                    await asyncio.sleep(0.5)
                    continue
                self.acknowledged = len(self.events)
        finally:
            await self._close(producer)

    async def _producer(self) -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers, enable_idempotence=True, acks="all", linger_ms=5, request_timeout_ms=10_000
        )
        try:
            async with asyncio.timeout(15):
                await producer.start()
        except BaseException:
            await self._close(producer)
            raise
        return producer

    @staticmethod
    async def _close(producer: AIOKafkaProducer | None) -> None:
        if producer is None:
            return
        try:
            async with asyncio.timeout(10):
                await producer.stop()
        except Exception as error:
            log.info("kafka flow: producer did not stop cleanly (%s)", type(error).__name__)


@dataclass
class IntakeFlow:
    """`count` member registrations (new people, so each is one `MemberRecruited`) at `rate` per second."""

    base_url: str
    token: str
    count: int
    rate: float
    accepted: list[str] = field(default_factory=list)  # event ids of 201 answers
    refused: Counter = field(default_factory=Counter)  # status code -> how many
    unanswered: int = 0  # no answer at all: the write may or may not have happened
    _stopping: bool = False
    _task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="intake-flow")

    def stop(self) -> None:
        self._stopping = True

    async def finished(self, timeout: float) -> None:
        assert self._task is not None
        async with asyncio.timeout(timeout):
            await self._task

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=10) as client:
            for i in range(self.count):
                if self._stopping:
                    break
                if (delay := started + i / self.rate - time.monotonic()) > 0:
                    await asyncio.sleep(delay)
                body = payloads.member(federation="FSPMI", workplace_id=f"wp-intake-{i % 7}", sector=SECTORS[i % 5])
                try:
                    answer = await client.post("/api/v1/members", json=body)
                except httpx.TransportError:
                    self.unanswered += 1
                    continue
                if answer.status_code == 201:
                    self.accepted.append(answer.json()["event_id"])
                else:
                    self.refused[answer.status_code] += 1
