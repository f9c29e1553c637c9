"""Federation access in tests: credentials through the operator's command, clients as a federation's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer

from gateway.config import GatewaySettings
from gateway.forwarder import Forwarder
from organising_shared.testing.secured import SecuredKafka
from tests.integration.reporting.builders import event


@dataclass(frozen=True)
class Credential:
    name: str
    password: str


async def credentials_command(kafka: SecuredKafka, prefix: str, *args: str) -> subprocess.CompletedProcess:
    """`organising-kafka-credentials …` as an operator runs it, against the broker's internal listener."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers, "ORGANISING_TOPIC_PREFIX": prefix}
    command = [sys.executable, "-m", "organising_shared.kafka_access.cli", *args]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=180)


async def create_credential(kafka: SecuredKafka, prefix: str, *, federation: str, name: str) -> Credential:
    result = await credentials_command(kafka, prefix, "create", "--federation", federation, "--name", name)
    assert result.returncode == 0, result.stderr
    password = next(line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.startswith("password: "))
    return Credential(name, password)


def federation_client_options(kafka: SecuredKafka, credential: Credential | None) -> dict[str, Any]:
    """What a federation's aiokafka client sets (docs/federations.md)."""
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.federation_bootstrap_servers,
        "security_protocol": "SASL_SSL",
        "ssl_context": ssl.create_default_context(cafile=str(kafka.ca_path)),
        "sasl_mechanism": "SCRAM-SHA-512",
        "request_timeout_ms": 10_000,
    }
    if credential is not None:
        options |= {"sasl_plain_username": credential.name, "sasl_plain_password": credential.password}
    return options


@contextlib.asynccontextmanager
async def federation_producer(kafka: SecuredKafka, credential: Credential) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(**federation_client_options(kafka, credential), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def send(producer: AIOKafkaProducer, topic: str, event: dict[str, Any]) -> None:
    data = event["data"]
    # A federation keys as the contract says; the gateway re-keys what it forwards anyway.
    key = (data.get("workplace_id") or data.get("case_id") or data.get("sector") or data.get("item_id") or event["federation"]).encode()
    async with asyncio.timeout(30):
        await producer.send_and_wait(topic, value=json.dumps(event).encode(), key=key)


@contextlib.asynccontextmanager
async def running_gateway(settings: GatewaySettings) -> AsyncIterator[Forwarder]:
    forwarder = Forwarder(settings)
    stop = asyncio.Event()
    await forwarder.ensure_topics()
    task = asyncio.create_task(forwarder.run(stop))
    try:
        yield forwarder
    finally:
        stop.set()
        async with asyncio.timeout(30):
            await task


# Plan item events as a federation system writes them (docs/contract.md, "v1 additions").


def plan_added(item_id: str, *, federation: str, for_federation: str | None) -> dict:
    data = {
        "item_id": item_id,
        "period": "2026",
        "sector": "metal",
        "kind": "recruitment_drive",
        "title": "Recruitment drive at Bekasi industrial estates",
        "responsible": "DPW Jawa Barat",
        "due_on": "2026-05-31",
    }
    if for_federation is not None:
        data["federation"] = for_federation
    return event("ActionPlanItemAdded", data, federation=federation)


def plan_progressed(item_id: str, *, federation: str) -> dict:
    return event("ActionPlanItemProgressed", {"item_id": item_id, "status": "done", "changed_on": "2026-04-10"}, federation=federation)
