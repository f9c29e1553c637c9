"""Running the reporting service in a test: in process (with an HTTP client) or as a real process."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from organising_shared.auth import Role, TokenStore
from organising_shared.mongo import make_mongo_client
from organising_shared.projections import OFFSETS_COLLECTION
from reporting.config import ReportingSettings
from reporting.main import create_app
from reporting.projection.generations import current_generation
from tests.integration.helpers import as_json, produce
from tests.log_scan import keep

ADMIN_TOKEN = "test-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@contextlib.asynccontextmanager
async def running_service(settings: ReportingSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def publish(settings: ReportingSettings, events: list[dict[str, Any]]) -> None:
    by_topic: dict[str, list[tuple[bytes, bytes]]] = {}
    for value in events:
        topic = settings.topics.for_event_type(value["event_type"])
        key = (value["data"].get("workplace_id") or value["data"].get("case_id") or value["data"].get("sector")).encode()
        by_topic.setdefault(topic, []).append((key, as_json(value)))
    for topic, messages in by_topic.items():
        await produce(settings.kafka_bootstrap_servers, topic, messages)


async def counters(settings: ReportingSettings, generation: str | None = None) -> dict[str, dict[str, Any]]:
    """Every counter document of a generation (the current one by default), zeros left out."""
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        database = mongo[settings.database]
        name = generation or (await current_generation(database)).name
        return {row.pop("_id"): _without_zeros(row) async for row in database[f"{name}_counters"].find()}
    finally:
        await mongo.close()


def year_totals(figures: dict[str, dict]) -> dict[str, int]:
    """The year 2026's totals of the target metrics and departures, over every sector and federation."""
    rows = [row for doc_id, row in figures.items() if doc_id.startswith("2026|")]
    return {
        name: sum(row.get(name, 0) for row in rows)
        for name in ("members_recruited", "members_left", "union_units_established", "cases_resolved")
    }


def _without_zeros(tree: dict[str, Any]) -> dict[str, Any]:
    kept = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            value = _without_zeros(value)
            if value:
                kept[key] = value
        elif value != 0:
            kept[key] = value
    return kept


async def issue(settings: ReportingSettings, role: Role, federation: str | None = None) -> dict[str, str]:
    """Authorization headers with a fresh token of `role` (one per role and federation in a test)."""
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        name = f"{role.value}-{federation or 'all'}-test"
        token = await TokenStore(mongo[settings.auth_database]["tokens"]).issue(name=name, role=role, federation=federation)
    finally:
        await mongo.close()
    return {"Authorization": f"Bearer {token}"}


async def applied_offsets(settings: ReportingSettings) -> int:
    """How many records the current generation has applied, over all partitions."""
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        database = mongo[settings.database]
        generation = await current_generation(database)
        return sum([row["offset"] + 1 async for row in database[OFFSETS_COLLECTION].find({"projection": generation.projector_name})])
    finally:
        await mongo.close()


async def applied_at_least(settings: ReportingSettings, expected: int) -> bool:
    """Whether the current generation has applied `expected` records (for `eventually`)."""
    return await applied_offsets(settings) >= expected


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def service_process(settings: ReportingSettings, **extra_env: str) -> Iterator[subprocess.Popen]:
    """`python -m reporting.main` as a real process, configured through its environment."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URL": settings.mongodb_url,
        "ORGANISING_TOPIC_PREFIX": settings.topic_prefix,
        "ORGANISING_DATABASE": settings.database,
        "ORGANISING_CONSUMER_GROUP": settings.consumer_group,
        "ORGANISING_AUTH_DATABASE": settings.auth_database,
        "ORGANISING_TOPIC_PARTITIONS": str(settings.topic_partitions),
        "ORGANISING_PORT": str(free_port()),
        "ORGANISING_LOG_LEVEL": "WARNING",
        **extra_env,
    }
    log = tempfile.NamedTemporaryFile(prefix="reporting-service-", suffix=".log", delete=False)
    process = subprocess.Popen([sys.executable, "-m", "reporting.main"], env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log.name  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        keep(log.name)  # for the scan for personal data at the end of the run
        os.unlink(log.name)  # the service's log is for debugging a run in progress only


async def publish_many(settings: ReportingSettings, events: list[dict[str, Any]]) -> None:
    """Like `publish`, pipelined: thousands of events in a second or two (order per key is kept)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = []
        for value in events:
            topic = settings.topics.for_event_type(value["event_type"])
            key = (value["data"].get("workplace_id") or value["data"].get("case_id") or value["data"].get("sector")).encode()
            futures.append(await producer.send(topic, value=as_json(value), key=key))
        for future in futures:
            await future
    finally:
        await producer.stop()
