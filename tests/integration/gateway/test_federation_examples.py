"""docs/examples' federation clients (Python with aiokafka, Java with Kafka's client, shell with
kcat) against the real federation listener: each lands an event on its ingress topic that the
gateway would forward."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gateway.admission import Refused, admit
from organising_shared.devstack.kafka_node import kafka_classpath
from organising_shared.ingress import ingress_topic
from tests.integration.gateway.support import create_credential
from tests.integration.helpers import read_topic

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


async def test_both_examples_publish_through_the_ingress_topic(federation_kafka, prefix, namespace, gateway_settings):
    credential = await create_credential(federation_kafka, prefix, federation="FSPMI", name=f"{namespace}-examples")
    environment = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": federation_kafka.federation_bootstrap_servers,
        "KAFKA_CA_FILE": str(federation_kafka.ca_path),
        "KAFKA_USERNAME": credential.name,
        "KAFKA_PASSWORD": credential.password,
        "ORGANISING_KAFKA_PASSWORD": credential.password,
        "ORGANISING_TOPIC_PREFIX": prefix,
        "FEDERATION": "FSPMI",
        "EVENT_ID": str(uuid.uuid4()),
    }
    commands = [
        [sys.executable, str(EXAMPLES / "federation_publish.py"), "--federation", "FSPMI", "--workplace-id", "wp-docs-fed"],
        [
            "java",
            "-cp",
            kafka_classpath(),
            str(EXAMPLES / "FederationPublish.java"),
            federation_kafka.federation_bootstrap_servers,
            str(federation_kafka.ca_path),
            credential.name,
            "FSPMI",
        ],
    ]
    for command in commands:
        finished = await asyncio.to_thread(subprocess.run, command, env=environment, capture_output=True, text=True, timeout=180)
        assert finished.returncode == 0, finished.stderr[-3000:]
        assert credential.password not in finished.stdout + finished.stderr

    records = await read_topic(federation_kafka.bootstrap_servers, ingress_topic("FSPMI", prefix=prefix), expected=2)
    events = [admit(record.value, federation="FSPMI", publishers=gateway_settings.publishers) for record in records]
    assert not [event for event in events if isinstance(event, Refused)], events
    assert sorted(record.key for record in records) == [b"wp-docs-fed", b"wp-java-example-1"]

    # kcat: librdkafka before 2.6.1 computes a SCRAM proof Kafka 4.x refuses (its nonce bug,
    # confluentinc/librdkafka#4895; Debian 12 ships 2.0.2). The example must get as far as SCRAM
    # either way: TLS verified against the CA, the credential offered; with a fixed librdkafka it
    # delivers.
    assert shutil.which("kcat"), "kcat is installed by `make test`"
    finished = await asyncio.to_thread(
        subprocess.run, ["sh", str(EXAMPLES / "federation-publish.sh")], env=environment, capture_output=True, text=True, timeout=120
    )
    assert credential.password not in finished.stdout + finished.stderr
    if _librdkafka_version() >= (2, 6, 1):
        assert finished.returncode == 0, finished.stderr
        await read_topic(federation_kafka.bootstrap_servers, ingress_topic("FSPMI", prefix=prefix), expected=3)
    else:
        assert finished.returncode != 0
        assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in finished.stderr, finished.stderr


def _librdkafka_version() -> tuple[int, ...]:
    banner = subprocess.run(["kcat", "-V"], capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"librdkafka (\d+)\.(\d+)\.(\d+)", banner)
    assert match, banner
    return tuple(int(part) for part in match.groups())
