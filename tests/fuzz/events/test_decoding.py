"""`decode_event` on generated records: valid events in, events out; anything else, a reason out
that repeats nothing the record held; never an exception (a raise would stop the consumer)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import EVENT_CLASSES
from tests.fuzz.budget import unit_settings
from tests.fuzz.events.leaks import leaked_into
from tests.fuzz.events.mutations import KINDS, Record, as_record_on_its_topic, mutated
from tests.fuzz.events.valid import PUBLISHERS, topic_of, valid_event

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize("event_type", EVENT_CLASSES, ids=lambda cls: cls.__name__)
@unit_settings
@given(data=st.data())
def test_a_valid_event_on_its_topic_is_accepted(event_type, data):
    event = data.draw(valid_event(event_type))
    outcome = decode_event(json.dumps(event).encode(), federations=PUBLISHERS, topic=topic_of(event))
    assert not isinstance(outcome, Rejection), outcome.reason
    assert str(outcome.event_id) == event["event_id"] and outcome.event_type == event["event_type"]


@pytest.mark.parametrize("kind", ["none", *KINDS])
@unit_settings
@given(data=st.data())
def test_any_record_decodes_to_an_event_or_a_reason_that_repeats_no_submitted_value(kind, data):
    record: Record = data.draw(mutated(kind) if kind != "none" else valid_event().map(as_record_on_its_topic))
    outcome = decode_event(record.value, federations=PUBLISHERS, topic=record.topic)
    assert isinstance(outcome, (Rejection, *EVENT_CLASSES)), type(outcome)
    if isinstance(outcome, Rejection):
        assert outcome.reason.strip(), f"{record.mutation}: an empty reason"
        leaked = leaked_into(outcome.reason, record.document)
        assert not leaked, f"{record.mutation}: the reason {outcome.reason!r} repeats {leaked}"


@unit_settings
@given(mutated("wrong_topic"))
def test_an_event_on_a_topic_it_does_not_belong_on_is_refused(record: Record):
    outcome = decode_event(record.value, federations=PUBLISHERS, topic=record.topic)
    assert isinstance(outcome, Rejection), record.mutation
    assert record.document["event_type"] in outcome.reason and record.topic in outcome.reason, outcome.reason
