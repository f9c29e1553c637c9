"""The publishing examples in docs/examples/ against the real broker: what they send is a valid
contract event, on the contract's topic, keyed by its workplace."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest

from organising_shared.decoding import Rejection, decode_event
from organising_shared.reference import DEFAULT_FEDERATIONS
from tests.integration.helpers import read_topic

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _load_python_example():
    spec = importlib.util.spec_from_file_location("docs_publish_event", EXAMPLES / "publish_event.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _decoded(record, topic: str):
    decoded = decode_event(record.value, federations=DEFAULT_FEDERATIONS, topic=topic)
    assert not isinstance(decoded, Rejection), decoded
    return decoded


async def test_the_python_example_publishes_an_accepted_event(isolated_settings):
    example = _load_python_example()
    event_id = uuid.uuid4()
    event = example.member_recruited(
        federation="FSPMI",
        producer="fspmi-membership",
        member_ref="m_docs_example",
        sector="metal",
        workplace_id="wp-docs-1",
        region_code="32.16",
        employment_status="outsourced",
        gender="male",
        recruited_on=date(2026, 3, 14),
        event_id=event_id,
    )
    topic = isolated_settings.topic_prefix + example.MEMBERSHIP_TOPIC
    assert topic == isolated_settings.topics.membership

    await example.publish(isolated_settings.kafka_bootstrap_servers, topic, *example.encode(event))

    [record] = await read_topic(isolated_settings.kafka_bootstrap_servers, topic, expected=1)
    assert record.key == b"wp-docs-1"
    assert _decoded(record, "organising.membership.v1").event_id == event_id


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat is not installed (apt-get install kcat)")
async def test_the_shell_example_publishes_an_accepted_event(isolated_settings):
    event_id = str(uuid.uuid4())
    environment = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": isolated_settings.kafka_bootstrap_servers,
        "ORGANISING_TOPIC_PREFIX": isolated_settings.topic_prefix,
        "EVENT_ID": event_id,
        "WORKPLACE_ID": "wp-docs-2",
    }
    finished = await asyncio.to_thread(
        subprocess.run, ["sh", str(EXAMPLES / "publish-event.sh")], env=environment, capture_output=True, timeout=60
    )
    assert finished.returncode == 0, finished.stderr.decode()

    [record] = await read_topic(isolated_settings.kafka_bootstrap_servers, isolated_settings.topics.violations, expected=1)
    assert record.key == b"wp-docs-2"
    decoded = _decoded(record, "organising.violations.v1")
    assert str(decoded.event_id) == event_id
    assert decoded.event_type == "ViolationReported"
