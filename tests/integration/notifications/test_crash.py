"""A service killed with SIGKILL after the receiver answered 200 but before the outcome was
recorded: the delivery is sent again after a restart, with the same delivery id and body, so
the receiver can drop the duplicate; the log shows one delivery, delivered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from organising_shared.mongo import make_mongo_client
from tests.integration.helpers import as_json, eventually, produce
from tests.integration.notifications.conftest import ADMIN_TOKEN, webhook
from tests.integration.notifications.receivers import free_port, webhook_receiver
from tests.unit.notifications import events

pytestmark = pytest.mark.integration


def start_service(environment: dict[str, str], log_path) -> subprocess.Popen:
    log = open(log_path, "ab")
    return subprocess.Popen(
        [sys.executable, "-c", "from notifications.main import run; run()"], env=environment, stdout=log, stderr=subprocess.STDOUT
    )


async def wait_ready(base_url: str, process: subprocess.Popen) -> None:
    async def ready() -> bool:
        assert process.poll() is None, "the service exited while starting"
        try:
            async with httpx.AsyncClient(timeout=1) as client:
                return (await client.get(base_url + "/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(ready, timeout=40, interval=0.2, what="service ready")


async def test_sigkill_between_send_and_record_gives_the_receiver_one_delivery_id(isolated_settings, namespace, infrastructure, tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database_name = f"{namespace}_notifications"
    environment = {
        **os.environ,
        "ORGANISING_KAFKA_BOOTSTRAP_SERVERS": isolated_settings.kafka_bootstrap_servers,
        "ORGANISING_MONGODB_URL": isolated_settings.mongodb_url,
        "ORGANISING_TOPIC_PREFIX": isolated_settings.topic_prefix,
        "ORGANISING_TOPIC_PARTITIONS": str(isolated_settings.topic_partitions),
        "ORGANISING_AUTH_DATABASE": isolated_settings.auth_database,
        "ORGANISING_DATABASE": database_name,
        "ORGANISING_CONSUMER_GROUP": f"{namespace}-notifications",
        "ORGANISING_ADMIN_TOKEN": ADMIN_TOKEN,
        "ORGANISING_ALLOW_PRIVATE_WEBHOOKS": "true",
        "ORGANISING_PORT": str(port),
        "ORGANISING_DELIVERY_ATTEMPT_TIMEOUT_SECONDS": "2",
        "ORGANISING_DELIVERY_LEASE_SECONDS": "3",
        "ORGANISING_DELIVERY_POLL_SECONDS": "0.2",
    }
    mongo = make_mongo_client(isolated_settings.mongodb_url)
    deliveries = mongo[database_name]["deliveries"]
    first = start_service(environment, tmp_path / "first.log")
    second = None
    try:
        async with webhook_receiver() as receiver:
            # The receiver has accepted the notice and answered 200 when the service dies.
            receiver.on_partial_answer = lambda: os.kill(first.pid, signal.SIGKILL)
            await wait_ready(base_url, first)
            async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
                created = await admin.post("/api/v1/subscriptions", json={"channel": webhook(receiver.url("/answer-then/crash"))})
                assert created.status_code == 201, created.text
            event = events.violation_reported()
            await produce(
                isolated_settings.kafka_bootstrap_servers,
                isolated_settings.topic_prefix + "organising.violations.v1",
                [(b"wp", as_json(event))],
            )

            async def killed() -> bool:
                return first.poll() is not None

            await eventually(killed, timeout=30, what="first service killed")
            assert first.returncode == -signal.SIGKILL
            row = await deliveries.find_one({})
            assert row["status"] == "sending" and row["attempts"] == 1  # sent, answered, never recorded

            second = start_service(environment, tmp_path / "second.log")
            delivered = await eventually(
                lambda: deliveries.find_one({"status": "delivered"}), timeout=40, what="delivered after the restart"
            )
            assert delivered["attempts"] == 2
            assert await deliveries.count_documents({}) == 1

        copies = receiver.at("/answer-then/crash")
        assert len(copies) == 2 and all(copy.status == 200 for copy in copies)
        # What lets the receiver drop the second copy: the same delivery id, event id and body.
        assert len({copy.headers["x-organising-delivery"] for copy in copies}) == 1
        assert {copy.headers["x-organising-event-id"] for copy in copies} == {event["event_id"]}
        assert copies[0].body == copies[1].body
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        await mongo.close()
