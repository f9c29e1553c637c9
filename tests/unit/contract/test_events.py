"""Every v1 event: valid examples (including docs/contract.md's envelope) and each bound it enforces."""

import json
from datetime import timedelta

import pytest

from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import EVENT_TYPES, MemberRecruitedEvent, to_json
from organising_shared.periods import jakarta_today
from organising_shared.reference import DEFAULT_FEDERATIONS

FEDERATIONS = set(DEFAULT_FEDERATIONS) | {"KSPI"}

# The envelope exactly as docs/contract.md shows it; `data` is filled per event type below.
CONTRACT_ENVELOPE = {
    "event_id": "6f1c2d1e-8a4b-4f5e-9a57-0d3c1f0e2b11",
    "event_type": "MemberRecruited",
    "schema_version": 1,
    "occurred_at": "2026-03-14T09:30:00+07:00",
    "federation": "FSPMI",
    "producer": "fspmi-membership",
    "data": {},
}

VALID_DATA = {
    "MemberRecruited": {
        "member_ref": "m_9f2c4a1b7e3d",
        "sector": "metal",
        "workplace_id": "wp-bekasi-0042",
        "region_code": "32.16",
        "employment_status": "permanent",
        "gender": "female",
        "age_band": "25_34",
        "recruited_on": "2026-03-14",
    },
    "MemberLeft": {
        "member_ref": "m_9f2c4a1b7e3d",
        "sector": "metal",
        "workplace_id": "wp-bekasi-0042",
        "region_code": "32.16",
        "left_on": "2026-04-02",
        "reason": "contract_ended",
    },
    "UnionUnitEstablished": {
        "unit_id": "puk-0042",
        "sector": "automotive",
        "workplace_id": "wp-karawang-7",
        "region_code": "32.15",
        "founding_members": 25,
        "women_on_board": 2,
        "established_on": "2026-02-20",
    },
    "ViolationReported": {
        "case_id": "case-2026-0107",
        "sector": "cement",
        "workplace_id": "wp-tuban-1",
        "region_code": "35.23",
        "category": "union_busting",
        "workers_affected": 40,
        "women_affected": 12,
        "reported_on": "2026-03-01",
        "summary": "PUK officers transferred after founding",
    },
    "ViolationCaseProgressed": {"case_id": "case-2026-0107", "stage": "mediation", "changed_on": "2026-03-20"},
    "ViolationCaseClosed": {
        "case_id": "case-2026-0107",
        "outcome": "won",
        "recovered_idr": 150_000_000,
        "workers_benefited": 40,
        "closed_on": "2026-05-30",
    },
    "SectorTargetSet": {
        "period": "2026-S1",
        "sector": "garment_textile",
        "federation": "SPN",
        "members_recruited": 1200,
        "union_units_established": 12,
        "cases_resolved": 30,
        "set_by": "admin",
    },
    "TargetMilestoneReached": {
        "period": "2026-S1",
        "sector": "metal",
        "metric": "members_recruited",
        "milestone": 50,
        "actual": 600,
        "target": 1200,
    },
    "SectorFallingBehind": {
        "period": "2026-S1",
        "sector": "chemical",
        "federation": "KEP",
        "metric": "cases_resolved",
        "actual": 3,
        "expected_to_date": 9,
        "target": 20,
    },
    # v1 additions
    "ActionPlanItemAdded": {
        "item_id": "plan-fspmi-2026-07",
        "period": "2026-S1",
        "sector": "metal",
        "federation": "FSPMI",
        "kind": "recruitment_drive",
        "title": "Recruitment drive at Bekasi industrial estates",
        "responsible": "DPW FSPMI Jawa Barat",
        "due_on": "2026-05-31",
        "planned_count": 300,
        "programme": "SASK-APHEDA-2026",
    },
    "ActionPlanItemProgressed": {
        "item_id": "plan-fspmi-2026-07",
        "status": "in_progress",
        "changed_on": "2026-04-10",
        "note": "Two estates done",
    },
    "ActivityHeld": {
        "activity_id": "act-fspmi-2026-0031",
        "kind": "training",
        "title": "Basic organiser training, Bekasi",
        "held_on": "2026-04-18",
        "days": 2,
        "sector": "metal",
        "region_code": "32.16",
        "participants": {"female": 14, "male": 11, "unspecified": 0},
        "cadres_trained": 8,
        "plan_item_id": "plan-fspmi-2026-07",
        "programme": "SASK-APHEDA-2026",
    },
    "WorkplaceRegistered": {
        "workplace_id": "wp-bekasi-0042",
        "sector": "metal",
        "region_code": "32.16",
        "employer": "PT Contoh Komponen Indonesia",
        "workforce": 1800,
        "women_percent": 35,
        "outsourced_percent": 20.5,
        "cba": "in_force",
        "cba_expires_on": "2027-03-31",
    },
    "WorkplaceUpdated": {"workplace_id": "wp-bekasi-0042", "changed_on": "2026-06-02", "workforce": 1750},
}


def event(event_type: str, **data_overrides) -> dict:
    data = {**VALID_DATA[event_type], **data_overrides}
    return {**CONTRACT_ENVELOPE, "event_type": event_type, "data": {k: v for k, v in data.items() if v is not ...}}


def decode(document: dict):
    return decode_event(json.dumps(document).encode(), federations=FEDERATIONS)


def test_every_event_type_of_the_contract_has_a_model():
    assert set(EVENT_TYPES) == set(VALID_DATA)


@pytest.mark.parametrize("event_type", sorted(VALID_DATA))
def test_valid_example_of_each_event_is_accepted(event_type):
    decoded = decode(event(event_type))
    assert not isinstance(decoded, Rejection), decoded
    assert decoded.event_type == event_type
    assert str(decoded.event_id) == CONTRACT_ENVELOPE["event_id"]


@pytest.mark.parametrize("event_type", sorted(VALID_DATA))
def test_each_event_round_trips_through_its_wire_form(event_type):
    decoded = decode(event(event_type))
    again = decode_event(to_json(decoded), federations=FEDERATIONS)
    assert again == decoded


def test_contract_envelope_with_empty_data_is_refused_for_missing_fields():
    rejection = decode(CONTRACT_ENVELOPE)
    assert isinstance(rejection, Rejection)
    assert "data.member_ref: Field required" in rejection.reason


@pytest.mark.parametrize(
    ("event_type", "overrides", "reason"),
    [
        ("MemberRecruited", {"sector": "textiles"}, "data.sector"),
        ("MemberRecruited", {"gender": "f"}, "data.gender"),
        ("MemberRecruited", {"employment_status": "contract"}, "data.employment_status"),
        ("MemberRecruited", {"age_band": "18_24"}, "data.age_band"),
        ("MemberRecruited", {"member_ref": "x" * 65}, "data.member_ref"),
        ("MemberRecruited", {"member_ref": ""}, "data.member_ref"),
        ("MemberRecruited", {"region_code": "99"}, "names no Indonesian province"),
        ("MemberRecruited", {"recruited_on": "14/03/2026"}, "data.recruited_on"),
        ("MemberRecruited", {"recruited_on": ...}, "data.recruited_on: Field required"),
        ("MemberRecruited", {"nik": "3216012345678901"}, "data.nik: Extra inputs are not permitted"),
        ("MemberLeft", {"reason": "fired"}, "data.reason"),
        ("UnionUnitEstablished", {"founding_members": 0}, "data.founding_members"),
        ("UnionUnitEstablished", {"women_on_board": -1}, "data.women_on_board"),
        ("UnionUnitEstablished", {"founding_members": "25"}, "data.founding_members"),
        ("UnionUnitEstablished", {"founding_members": 2.5}, "data.founding_members"),
        ("ViolationReported", {"workers_affected": 0}, "data.workers_affected"),
        ("ViolationReported", {"women_affected": 41}, "women_affected cannot exceed workers_affected"),
        ("ViolationReported", {"summary": "x" * 2001}, "data.summary"),
        ("ViolationReported", {"category": "wages"}, "data.category"),
        ("ViolationCaseProgressed", {"stage": "court"}, "data.stage"),
        ("ViolationCaseClosed", {"outcome": "draw"}, "data.outcome"),
        ("ViolationCaseClosed", {"recovered_idr": -5}, "data.recovered_idr"),
        ("SectorTargetSet", {"period": "2026-S3"}, "data.period"),
        ("SectorTargetSet", {"members_recruited": -1}, "data.members_recruited"),
        ("SectorTargetSet", {"federation": "NOPE"}, "not one of the configured federations"),
        ("TargetMilestoneReached", {"milestone": 60}, "data.milestone"),
        ("TargetMilestoneReached", {"metric": "members"}, "data.metric"),
    ],
)
def test_each_bound_is_enforced_with_a_readable_reason(event_type, overrides, reason):
    rejection = decode(event(event_type, **overrides))
    assert isinstance(rejection, Rejection)
    assert reason in rejection.reason


def test_reasons_never_echo_the_offending_value():
    nik = "3216012345678901"
    rejection = decode(event("MemberRecruited", member_ref=nik * 5, phone="+6281234567890", name="Siti Aminah"))
    assert isinstance(rejection, Rejection)
    for secret in (nik, "+6281234567890", "Siti Aminah"):
        assert secret not in rejection.reason


def test_a_date_in_the_future_is_refused():
    next_week = (jakarta_today() + timedelta(days=7)).isoformat()
    rejection = decode(event("MemberRecruited", recruited_on=next_week))
    assert isinstance(rejection, Rejection)
    assert "future" in rejection.reason


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("event_id", "not-a-uuid", "event_id"),
        ("schema_version", 2, "schema_version"),
        ("occurred_at", "2026-03-14T09:30:00", "timezone"),
        ("federation", "NOPE", "not one of the configured federations"),
        ("federation", "fspmi", "federation"),
        ("producer", "", "producer"),
    ],
)
def test_envelope_fields_are_checked(field, value, reason):
    rejection = decode({**event("MemberRecruited"), field: value})
    assert isinstance(rejection, Rejection)
    assert reason in rejection.reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"event_type": "MemberPromoted"}', "unknown event_type"),
        # Found by tests/fuzz: an unhashable event_type raised TypeError, and a consumer would
        # have retried the record for ever instead of dead-lettering it.
        (b'{"event_type": {}}', "unknown event_type"),
        (b'{"event_type": ["MemberRecruited"]}', "unknown event_type"),
    ],
)
def test_unreadable_messages_are_rejected_with_a_reason(raw, reason):
    rejection = decode_event(raw, federations=FEDERATIONS)
    assert isinstance(rejection, Rejection)
    assert reason in rejection.reason


def test_event_on_the_wrong_topic_is_refused():
    raw = json.dumps(event("ViolationReported")).encode()
    rejection = decode_event(raw, federations=FEDERATIONS, topic="organising.membership.v1")
    assert isinstance(rejection, Rejection)
    assert "belongs on organising.violations.v1" in rejection.reason
    assert not isinstance(decode_event(raw, federations=FEDERATIONS, topic="organising.violations.v1"), Rejection)


def test_optional_fields_are_left_out_of_the_wire_form():
    decoded = decode(event("MemberRecruited", age_band=...))
    assert isinstance(decoded, MemberRecruitedEvent)
    assert "age_band" not in json.loads(to_json(decoded))["data"]


def test_confederation_wide_target_has_no_federation():
    decoded = decode(event("SectorTargetSet", federation=...))
    assert decoded.data.federation is None


@pytest.mark.parametrize("field", ["event_id", "schema_version"])
def test_an_envelope_without_its_id_or_version_is_refused_though_the_models_default_them(field):
    # A made-up id per decode would count every resend of the message again.
    envelope = event("MemberRecruited")
    del envelope[field]
    rejection = decode(envelope)
    assert isinstance(rejection, Rejection)
    assert f"{field}: Field required" in rejection.reason
