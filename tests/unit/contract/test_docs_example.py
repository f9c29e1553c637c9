"""The publishing example in docs/ builds events the platform accepts.

docs/examples/publish_event.py is what a federation developer copies: if the contract's models
change, this test says the example (and docs/contract.md beside it) must change too.
"""

import importlib.util
import json
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest

from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import MemberRecruitedEvent
from organising_shared.reference import DEFAULT_FEDERATIONS
from organising_shared.topics import MEMBERSHIP, TOPIC_OF_EVENT_TYPE

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "publish_event.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("docs_publish_event", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(example, **overrides):
    arguments = {
        "federation": "FSPMI",
        "producer": "fspmi-membership",
        "member_ref": "m_9f2c4a1b7e3d",
        "sector": "metal",
        "workplace_id": "wp-bekasi-0042",
        "region_code": "32.16",
        "employment_status": "permanent",
        "gender": "female",
        "recruited_on": date(2026, 3, 14),
        **overrides,
    }
    return example.member_recruited(**arguments)


def test_the_example_builds_a_valid_member_recruited_event(example):
    event_id = uuid.uuid4()
    key, value = example.encode(_build(example, age_band="25_34", event_id=event_id))

    decoded = decode_event(value, federations=DEFAULT_FEDERATIONS, topic=example.MEMBERSHIP_TOPIC)

    assert not isinstance(decoded, Rejection), decoded
    assert isinstance(decoded, MemberRecruitedEvent)
    assert decoded.event_id == event_id
    assert decoded.data.age_band == "25_34"
    assert key == b"wp-bekasi-0042" == decoded.data.workplace_id.encode()


def test_the_example_publishes_on_the_contract_topic(example):
    assert example.MEMBERSHIP_TOPIC == MEMBERSHIP == TOPIC_OF_EVENT_TYPE["MemberRecruited"]


def test_optional_fields_are_left_out_and_occurred_at_carries_its_offset(example):
    document = json.loads(example.encode(_build(example))[1])

    assert "age_band" not in document["data"]
    assert datetime.fromisoformat(document["occurred_at"]).utcoffset() is not None
    assert MemberRecruitedEvent.model_validate_json(json.dumps(document), strict=True).data.age_band is None


def test_the_same_event_id_is_kept_on_a_resend(example):
    event_id = uuid.uuid4()
    first, again = (_build(example, event_id=event_id) for _ in range(2))
    assert first["event_id"] == again["event_id"] == str(event_id)


def test_the_dry_run_prints_what_the_platform_accepts(example, capsys):
    example.main(["--dry-run", "--federation", "SPN", "--recruited-on", "2026-02-01"])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "key: wp-bekasi-0042"
    value = lines[1].removeprefix("value: ").encode()
    decoded = decode_event(value, federations=DEFAULT_FEDERATIONS, topic=MEMBERSHIP)
    assert not isinstance(decoded, Rejection), decoded
    assert decoded.federation == "SPN"


def test_a_field_the_contract_refuses_is_refused(example):
    # The example is plain dicts: a name slipped into it must not pass the platform's check.
    document = _build(example)
    document["data"]["name"] = "Siti Rahayu"
    decoded = decode_event(json.dumps(document).encode(), federations=DEFAULT_FEDERATIONS, topic=MEMBERSHIP)
    assert isinstance(decoded, Rejection)
    assert "Siti" not in decoded.reason
