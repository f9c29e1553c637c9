import json

import pytest

from organising_shared.decoding import decode_event
from organising_shared.settings import OrganisingSettings
from organising_shared.topics import TOPIC_OF_EVENT_TYPE, Topics, message_key
from tests.unit.contract.test_events import FEDERATIONS, event


def _decoded(event_type, **overrides):
    return decode_event(json.dumps(event(event_type, **overrides)).encode(), federations=FEDERATIONS)


def test_topics_are_the_contract_names_without_a_prefix():
    assert Topics().all() == (
        "organising.membership.v1",
        "organising.violations.v1",
        "organising.targets.v1",
        "organising.progress.v1",
        "organising.deadletter.v1",
        "organising.plans.v1",
        "organising.activities.v1",
        "organising.workplaces.v1",
    )


def test_a_prefix_namespaces_every_topic_and_maps_back_to_the_contract_name():
    topics = Topics.with_prefix("t1.")
    assert topics.membership == "t1.organising.membership.v1"
    assert topics.for_event_type("ViolationCaseClosed") == "t1.organising.violations.v1"
    assert topics.contract_name(topics.progress) == "organising.progress.v1"


@pytest.mark.parametrize(("event_type", "topic"), sorted(TOPIC_OF_EVENT_TYPE.items()))
def test_every_event_type_has_its_contract_topic(event_type, topic):
    assert Topics().for_event_type(event_type) == topic


def test_keys_follow_the_contract():
    assert message_key(_decoded("MemberRecruited")) == b"wp-bekasi-0042"
    assert message_key(_decoded("SectorTargetSet")) == b"garment_textile"
    assert message_key(_decoded("TargetMilestoneReached")) == b"metal"
    assert message_key(_decoded("ViolationCaseClosed"), workplace_id="wp-tuban-1") == b"wp-tuban-1"
    with pytest.raises(ValueError, match="workplace_id"):
        message_key(_decoded("ViolationCaseProgressed"))


def test_settings_read_the_contract_environment(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27018/")
    monkeypatch.setenv("ORGANISING_ADMIN_TOKEN", "s3cret")
    monkeypatch.setenv("ORGANISING_FEDERATIONS", "FSPMI, SPN,KEP")
    settings = OrganisingSettings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert settings.mongodb_url == "mongodb://127.0.0.1:27018/"
    assert settings.admin_token.get_secret_value() == "s3cret"
    assert settings.federations == ("FSPMI", "SPN", "KEP")
    assert settings.publishers == {"FSPMI", "SPN", "KEP", "KSPI"}
    assert "s3cret" not in repr(settings)


def test_defaults_are_the_contract_local_ports():
    settings = OrganisingSettings(_env_file=None)
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert "127.0.0.1:27017" in settings.mongodb_url
    assert len(settings.federations) == 8


def test_malformed_federation_codes_in_configuration_are_refused(monkeypatch):
    monkeypatch.setenv("ORGANISING_FEDERATIONS", "FSPMI,bad code")
    with pytest.raises(ValueError, match="bad code"):
        OrganisingSettings()
