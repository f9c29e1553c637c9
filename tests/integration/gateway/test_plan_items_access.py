"""Issue 15 on the federation listener: a federation's credential can neither add a plan item for
another federation (nor a confederation-wide one) nor progress another federation's item; each
attempt is dead-lettered with its reason, while its own items pass (docs/contract.md, "Who may
say what")."""

from __future__ import annotations

import json

import pytest

from organising_shared.deadletter import DeadLetter
from organising_shared.ingress import ingress_topic
from tests.integration.gateway.support import create_credential, federation_producer, plan_added, plan_progressed, running_gateway, send
from tests.integration.helpers import eventually, read_topic

pytestmark = pytest.mark.integration


async def test_a_federation_cannot_add_or_progress_another_federations_plan_item(federation_kafka, gateway_settings, prefix, namespace):
    fspmi = await create_credential(federation_kafka, prefix, federation="FSPMI", name=f"{namespace}-fspmi")
    spn = await create_credential(federation_kafka, prefix, federation="SPN", name=f"{namespace}-spn")
    fspmi_ingress, spn_ingress = ingress_topic("FSPMI", prefix=prefix), ingress_topic("SPN", prefix=prefix)
    topics = gateway_settings.topics

    async with running_gateway(gateway_settings) as gateway:
        async with federation_producer(federation_kafka, spn) as producer:
            await send(producer, spn_ingress, plan_added("plan-spn-1", federation="SPN", for_federation="SPN"))
        async with federation_producer(federation_kafka, fspmi) as producer:
            # An item of SPN's plan; a confederation-wide item; progress of SPN's item, by either of its spellings.
            await send(producer, fspmi_ingress, plan_added("plan-fspmi-2", federation="FSPMI", for_federation="SPN"))
            await send(producer, fspmi_ingress, plan_added("plan-fspmi-3", federation="FSPMI", for_federation=None))
            await send(producer, fspmi_ingress, plan_progressed("plan-spn-1", federation="FSPMI"))
            await send(producer, fspmi_ingress, plan_progressed("SPN-1", federation="FSPMI"))
            # Its own item and its progress go through: the refusals are not the listener failing.
            await send(producer, fspmi_ingress, plan_added("plan-fspmi-1", federation="FSPMI", for_federation="FSPMI"))
            await send(producer, fspmi_ingress, plan_progressed("plan-fspmi-1", federation="FSPMI"))

        async def tallied():
            return (gateway.forwarded, gateway.dead_lettered) == (3, 4)

        await eventually(tallied, timeout=60, what="the gateway forwarded 3 and dead-lettered 4")

    letters = await read_topic(gateway_settings.kafka_bootstrap_servers, topics.deadletter, expected=4, timeout=60)
    assert len(letters) == 4
    assert all(json.loads(record.value)["topic"] == fspmi_ingress for record in letters)
    own_items = "data.item_id must begin with 'plan-fspmi-' or 'fspmi-': a federation names only its own plan items"
    own_plan = "data.federation must be the credential's federation: confederation-wide plan items are the confederation's to add"
    assert sorted(DeadLetter.model_validate_json(record.value).reason for record in letters) == sorted(
        [own_plan, own_plan, own_items, own_items]
    )
    forwarded = await read_topic(gateway_settings.kafka_bootstrap_servers, topics.plans, expected=3, timeout=60)
    assert sorted((json.loads(record.value)["federation"], json.loads(record.value)["data"]["item_id"]) for record in forwarded) == [
        ("FSPMI", "plan-fspmi-1"),
        ("FSPMI", "plan-fspmi-1"),
        ("SPN", "plan-spn-1"),
    ]
