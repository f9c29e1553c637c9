"""Issue 13's acceptance, on a real broker with the federation listener and ACLs enforced:

- an unauthenticated client cannot connect to the federation listener;
- federation A's credential cannot move any figure of federation B: an event in B's name, or
  naming B's union unit or case, is dead-lettered with a reason; A can write neither B's ingress
  topic nor the contract's topics, and can read nothing;
- a revoked credential stops working, on a new connection and on one opened before;
- internal services (reporting, the gateway, an internal producer) keep working throughout.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import GroupAuthorizationFailedError, KafkaConnectionError, KafkaError, TopicAuthorizationFailedError
from prometheus_client import REGISTRY

from organising_shared.deadletter import DeadLetter
from organising_shared.ingress import ingress_topic
from organising_shared.kafka import ensure_organising_topics
from tests.integration.gateway.support import (
    Credential,
    create_credential,
    credentials_command,
    federation_client_options,
    federation_producer,
    running_gateway,
    send,
)
from tests.integration.helpers import eventually, read_topic
from tests.integration.reporting.builders import case_closed, recruited, unit_established, violation_reported
from tests.integration.reporting.support import applied_offsets, counters, publish, running_service

pytestmark = pytest.mark.integration


async def _cannot_start(**options) -> BaseException:
    producer = AIOKafkaProducer(**options)
    try:
        async with asyncio.timeout(60):
            await producer.start()
    except (KafkaError, OSError) as error:
        return error
    finally:
        await producer.stop()
    raise AssertionError("the client connected")


async def test_no_client_connects_to_the_federation_listener_without_a_valid_credential(federation_kafka):
    bootstrap = federation_kafka.federation_bootstrap_servers
    # Plaintext to a TLS port; TLS without SASL; SASL with a user the broker does not know.
    await _cannot_start(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    tls_only = federation_client_options(federation_kafka, None) | {"security_protocol": "SSL"}
    tls_only.pop("sasl_mechanism")
    await _cannot_start(**tls_only)
    stranger = federation_client_options(federation_kafka, Credential("nobody-here", "x" * 43))
    assert isinstance(await _cannot_start(**stranger), KafkaConnectionError)


def _federation_rows(rows: dict, federation: str) -> dict:
    return {key: row for key, row in rows.items() if key.endswith(f"|{federation}")}


async def test_a_federations_credential_cannot_move_another_federations_figures(
    federation_kafka, gateway_settings, reporting_on_secured, prefix, namespace
):
    fspmi = await create_credential(federation_kafka, prefix, federation="FSPMI", name=f"{namespace}-fspmi")
    spn = await create_credential(federation_kafka, prefix, federation="SPN", name=f"{namespace}-spn")
    fspmi_ingress, spn_ingress = ingress_topic("FSPMI", prefix=prefix), ingress_topic("SPN", prefix=prefix)
    topics = reporting_on_secured.topics

    async with running_service(reporting_on_secured), running_gateway(gateway_settings) as gateway:
        # SPN reports through its own credential: a member, a union unit and a case.
        async with federation_producer(federation_kafka, spn) as producer:
            for event in (
                recruited("m-spn-1", federation="SPN", workplace="wp-spn"),
                unit_established("puk-spn-1", on="2026-02-20", federation="SPN", workplace="wp-spn"),
                violation_reported("case-spn-1", on="2026-02-01", federation="SPN", workplace="wp-spn"),
            ):
                await send(producer, spn_ingress, event)
        # An internal producer on the plaintext listener keeps working beside it.
        await publish(reporting_on_secured, [recruited("m-spn-2", federation="SPN", workplace="wp-spn-2")])

        await eventually(lambda: _applied(reporting_on_secured, 4), timeout=60, what="SPN's four events applied")
        before = _federation_rows(await counters(reporting_on_secured), "SPN")
        print("SPN's figures before:", json.dumps(before, sort_keys=True))
        assert before["2026|metal|SPN"]["members_recruited"] == 2

        async with federation_producer(federation_kafka, fspmi) as producer:
            # In SPN's name; taking SPN's union unit with an earlier date; closing SPN's case.
            await send(producer, fspmi_ingress, recruited("m-fake-1", federation="SPN", workplace="wp-spn"))
            await send(producer, fspmi_ingress, unit_established("puk-spn-1", on="2026-01-05", federation="FSPMI", workplace="wp-spn"))
            await send(producer, fspmi_ingress, case_closed("case-spn-1", "won", on="2026-03-01", federation="FSPMI"))
            # Its own, valid event goes through (so the refusals above are not the listener failing).
            await send(producer, fspmi_ingress, recruited("m-fspmi-1", federation="FSPMI", workplace="wp-fspmi"))
            # Neither SPN's ingress topic nor a contract topic is writable with FSPMI's credential.
            for topic in (spn_ingress, topics.membership, topics.violations, topics.deadletter):
                with pytest.raises(TopicAuthorizationFailedError):
                    await send(producer, topic, recruited("m-fake-2", federation="SPN", workplace="wp-spn"))

        letters = await read_topic(gateway_settings.kafka_bootstrap_servers, topics.deadletter, expected=3, timeout=60)
        reasons = sorted(DeadLetter.model_validate_json(record.value).reason for record in letters)
        assert all(
            json.loads(record.value)["consumer"] == "gateway" and json.loads(record.value)["topic"] == fspmi_ingress for record in letters
        )
        assert reasons == [
            "data.case_id must begin with 'case-fspmi-' or 'fspmi-': a federation names only its own cases",
            "data.unit_id must begin with 'puk-fspmi-' or 'fspmi-': a federation names only its own union units",
            "envelope federation SPN does not match the credential's federation FSPMI",
        ]

        async def tallied():
            return (gateway.forwarded, gateway.dead_lettered) == (4, 3)

        await eventually(tallied, timeout=30, what="the gateway forwarded 4 and dead-lettered 3")
        # What an operator sees on /metrics (the labels carry the contract's topic names).
        refused = {"consumer": "gateway", "topic": "organising.ingress.FSPMI.v1", "kind": "refused"}
        assert REGISTRY.get_sample_value("organising_dead_letters_total", refused) >= 3
        assert (
            REGISTRY.get_sample_value("organising_gateway_forwarded_total", {"federation": "SPN", "topic": "organising.membership.v1"}) >= 1
        )

        async def caught_up():
            return REGISTRY.get_sample_value("organising_gateway_lag_records", {"federation": "FSPMI"}) == 0

        await eventually(caught_up, timeout=30, what="the gateway's lag back to 0")
        # Reporting has applied everything on the contract's topics (3 of SPN's, 1 internal,
        # FSPMI's own one): anything forwarded in SPN's name would be counted by now.
        await eventually(lambda: _applied(reporting_on_secured, 5), timeout=60, what="every record applied")
        after = await counters(reporting_on_secured)
        assert _federation_rows(after, "SPN") == before
        assert after["2026|metal|FSPMI"]["members_recruited"] == 1

    # A federation's credential reads nothing, not even its own ingress topic.
    consumer = AIOKafkaConsumer(
        fspmi_ingress, **federation_client_options(federation_kafka, fspmi), group_id=f"{namespace}-peek", auto_offset_reset="earliest"
    )
    with pytest.raises((GroupAuthorizationFailedError, TopicAuthorizationFailedError)):
        await consumer.start()
        try:
            async with asyncio.timeout(30):
                await consumer.getmany(timeout_ms=10_000)
        finally:
            await consumer.stop()


async def test_a_revoked_credential_stops_working(federation_kafka, prefix, namespace, gateway_settings):
    credential = await create_credential(federation_kafka, prefix, federation="KEP", name=f"{namespace}-kep")
    topic = ingress_topic("KEP", prefix=prefix)
    async with federation_producer(federation_kafka, credential) as producer:
        await send(producer, topic, recruited("m-kep-1", federation="KEP"))
        result = await credentials_command(federation_kafka, prefix, "revoke", "--name", credential.name)
        assert result.returncode == 0, result.stderr

        async def refused():
            try:
                await send(producer, topic, recruited("m-kep-2", federation="KEP"))
            except TopicAuthorizationFailedError:
                return True
            return False

        # The session opened before the revocation can no longer write ...
        await eventually(refused, timeout=30, what="the open session refused")
    # ... and no new session authenticates.
    assert isinstance(await _cannot_start(**federation_client_options(federation_kafka, credential)), KafkaConnectionError)
    listing = await credentials_command(federation_kafka, prefix, "list")
    assert listing.returncode == 0 and credential.name not in listing.stdout
    # Internal clients are untouched by all this.
    await ensure_organising_topics(gateway_settings)
    await publish(gateway_settings, [recruited("m-internal", federation="KEP")])
    await read_topic(gateway_settings.kafka_bootstrap_servers, gateway_settings.topics.membership, expected=1)


async def _applied(settings, records: int) -> bool:
    return await applied_offsets(settings) == records
