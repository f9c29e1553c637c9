"""The reporting service consumes organising.membership.v1 from a real broker into a real store."""

from __future__ import annotations

import base64
import json

import pytest

from organising_shared.projections import OFFSETS_COLLECTION
from reporting.config import ReportingSettings
from reporting.main import create_app
from reporting.projection.event_log import EVENTS
from tests.examples import envelope, member_recruited
from tests.integration.helpers import as_json, eventually, produce, read_topic

pytestmark = pytest.mark.integration


@pytest.fixture
def reporting_settings(isolated_settings, namespace) -> ReportingSettings:
    # These tests look for each event in the audit copy, which is off by default.
    return ReportingSettings(
        **isolated_settings.model_dump(), database=f"{namespace}_reporting", consumer_group=f"{namespace}-reporting", event_log=True
    )


async def test_event_from_a_plain_producer_reaches_the_store(reporting_settings, infrastructure):
    from organising_shared.mongo import make_mongo_client

    event = member_recruited()
    app = create_app(reporting_settings)
    async with app.router.lifespan_context(app):
        await produce(infrastructure.kafka_bootstrap_servers, reporting_settings.topics.membership, [(b"wp-bekasi-0042", as_json(event))])
        mongo = make_mongo_client(infrastructure.mongodb_url)
        events = mongo[reporting_settings.database][EVENTS]
        stored = await eventually(lambda: events.find_one({"_id": event["event_id"]}), what="event stored")
        await mongo.close()
    assert stored["event_type"] == "MemberRecruited"
    assert stored["data"]["member_ref"] == event["data"]["member_ref"]
    assert stored["data"]["recruited_on"] == "2026-03-14"


BAD_MESSAGES = [
    (b"not json at all", "not valid JSON"),
    (as_json({"event_type": "MemberRecruited"}), "Field required"),
    (as_json(envelope("MemberPromoted", {})), "unknown event_type"),
    (as_json(member_recruited(sector="textiles")), "data.sector"),
    (as_json(envelope("MemberRecruited", member_recruited()["data"], federation="NOPE")), "not one of the configured federations"),
    (as_json(member_recruited(region_code="99.01")), "names no Indonesian province"),
    (as_json(member_recruited(member_ref="x" * 65)), "data.member_ref"),
    (as_json(envelope("ViolationReported", {"case_id": "c"})), "belongs on organising.violations.v1"),
]


async def test_each_bad_message_is_dead_lettered_with_its_reason_and_the_consumer_keeps_going(reporting_settings, infrastructure):
    from organising_shared.mongo import make_mongo_client

    good_after = member_recruited()
    app = create_app(reporting_settings)
    topics = reporting_settings.topics
    async with app.router.lifespan_context(app):
        messages = [(b"wp-1", value) for value, _ in BAD_MESSAGES] + [(b"wp-1", as_json(good_after))]
        await produce(infrastructure.kafka_bootstrap_servers, topics.membership, messages)
        mongo = make_mongo_client(infrastructure.mongodb_url)
        events = mongo[reporting_settings.database][EVENTS]
        await eventually(lambda: events.find_one({"_id": good_after["event_id"]}), what="good event after the bad ones stored")
        assert await events.count_documents({}) == 1
        await mongo.close()
        letters = await read_topic(infrastructure.kafka_bootstrap_servers, topics.deadletter, expected=len(BAD_MESSAGES))
    by_original = {json.loads(r.value)["original_value_base64"]: json.loads(r.value) for r in letters}
    for value, expected_reason in BAD_MESSAGES:
        letter = by_original[base64.b64encode(value).decode()]
        assert expected_reason in letter["reason"], letter["reason"]
        assert letter["topic"] == topics.membership
        assert letter["consumer"] == "reporting"
        assert letter["offset"] >= 0


async def test_redelivered_event_is_stored_once_and_offsets_are_tracked(reporting_settings, infrastructure):
    from organising_shared.mongo import make_mongo_client

    event = member_recruited()
    app = create_app(reporting_settings)
    async with app.router.lifespan_context(app):
        await produce(infrastructure.kafka_bootstrap_servers, reporting_settings.topics.membership, [(b"wp-2", as_json(event))] * 3)
        mongo = make_mongo_client(infrastructure.mongodb_url)
        database = mongo[reporting_settings.database]
        offsets = await eventually(
            lambda: database[OFFSETS_COLLECTION].find_one({"offset": {"$gte": 2}}), what="offset of the third copy stored"
        )
        assert offsets["topic"] == reporting_settings.topics.membership
        # The audit copy is written just after the batch's commit: wait for it, then check that
        # the three copies left exactly one.
        await eventually(lambda: database[EVENTS].find_one({"_id": event["event_id"]}), what="the audit copy written")
        assert await database[EVENTS].count_documents({"_id": event["event_id"]}) == 1
        await mongo.close()
