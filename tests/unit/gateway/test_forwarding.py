"""One batch through the gateway, with a recording producer: what is forwarded, byte for byte and
where; what is dead-lettered; and that nothing a federation typed reaches the log."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from gateway.config import GatewaySettings
from gateway.forwarder import Forwarder
from organising_shared.deadletter import DeadLetter
from tests.integration.reporting.builders import recruited

NIK = "3216061703900002"  # the form of a NIK, made up


class RecordingProducer:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, topic, *, value, key, headers):
        self.sent.append({"topic": topic, "value": value, "key": key, "headers": dict(headers)})
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


def _record(topic: str, offset: int, value: bytes, key: bytes | None = b"wp-1") -> ConsumerRecord:
    return ConsumerRecord(topic, 0, offset, 0, 0, key, value, None, len(key or b""), len(value), [("event_type", b"forged")])


async def test_a_batch_is_forwarded_byte_for_byte_or_dead_lettered(caplog):
    settings = GatewaySettings(topic_prefix="t1.")
    forwarder, producer = Forwarder(settings), RecordingProducer()
    ingress = "t1.organising.ingress.FSPMI.v1"
    own = json.dumps(recruited("m-1"), indent=2).encode()  # odd spacing: forwarded as it came
    impersonating = json.dumps(recruited("m-2", federation="SPN")).encode()
    nik_in_event_type = json.dumps({**recruited("m-3"), "event_type": NIK}).encode()
    batch = {
        TopicPartition(ingress, 0): [_record(ingress, 7, own), _record(ingress, 8, impersonating), _record(ingress, 9, nik_in_event_type)]
    }

    with caplog.at_level(logging.DEBUG):
        await forwarder._forward(producer, batch)  # type: ignore[arg-type]

    forwarded, *letters = producer.sent
    assert forwarded["topic"] == "t1.organising.membership.v1"
    assert (forwarded["value"], forwarded["key"]) == (own, b"wp-1")
    assert forwarded["headers"]["ingress-offset"] == b"0:7" and forwarded["headers"]["event_type"] == b"MemberRecruited"
    assert [letter["topic"] for letter in letters] == ["t1.organising.deadletter.v1"] * 2
    reasons = [DeadLetter.model_validate_json(letter["value"]).reason for letter in letters]
    assert reasons[0] == "envelope federation SPN does not match the credential's federation FSPMI"
    assert DeadLetter.model_validate_json(letters[1]["value"]).original_value == nik_in_event_type
    assert (forwarder.forwarded, forwarder.dead_lettered) == (1, 2)
    assert NIK not in caplog.text
    assert (
        "envelope federation SPN" in caplog.text and "unknown event_type" not in caplog.text
    )  # a decoder's reason stays in the dead letter
