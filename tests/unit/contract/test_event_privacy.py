"""Events on Kafka: free text holding personal data is dead-lettered with a reason naming its kind,
codes and identifiers are ASCII, and no reason repeats the value it refuses."""

from __future__ import annotations

import json

import pytest

from organising_shared.decoding import Rejection, decode_event
from tests.unit.contract.test_events import CONTRACT_ENVELOPE, FEDERATIONS, decode, event

NIK = "3201123456780001"

SUMMARIES = [
    ("worker +62 812 1005 9887 dismissed", "phone number"),
    ("call +62 812-8537-3257", "phone number"),
    ("62 812 1005 9887", "phone number"),
    ("０８１２-１００５-９８８７", "phone number"),
    ("NIK 3201 1234 5678 0001 dismissed", "NIK"),
    ("NIK 3201.1234.5678.0001", "NIK"),
    ("NIK ٣٢٠١١٢٣٤٥٦٧٨٠٠٠١", "NIK"),
    ("mail siti.rahayu@gmail.com", "e-mail address"),
]


@pytest.mark.parametrize(("summary", "kind"), SUMMARIES, ids=[summary for summary, _ in SUMMARIES])
def test_a_summary_holding_personal_data_is_refused_by_its_kind(summary, kind):
    rejection = decode(event("ViolationReported", summary=summary))
    assert isinstance(rejection, Rejection)
    assert f"data.summary: contains what looks like a {kind}" in rejection.reason or f"like an {kind}" in rejection.reason
    assert "free text must not hold personal data" in rejection.reason
    for piece in ("1005", "9887", "8537", "5678", "٣٢٠١", "１００５", "rahayu"):
        assert piece not in rejection.reason


@pytest.mark.parametrize(
    "summary", ["40 workers dismissed on 2026-03-14 after founding the PUK", "THR Rp 4.500.000 unpaid", "region 32.16"]
)
def test_an_ordinary_summary_passes(summary):
    assert not isinstance(decode(event("ViolationReported", summary=summary)), Rejection)


NON_ASCII_CODES = [
    ("MemberRecruited", {"region_code": "３２.１６"}, "data.region_code: region_code must be written with the digits 0-9"),
    ("MemberRecruited", {"region_code": "32.١٦"}, "data.region_code: region_code must be written with the digits 0-9"),
    ("MemberRecruited", {"region_code": "٣٢"}, "data.region_code"),
    ("SectorTargetSet", {"period": "٢٠٢٦-S1"}, "data.period"),
    ("SectorTargetSet", {"period": "２０２６"}, "data.period"),
    ("MemberRecruited", {"workplace_id": "wp-bekasi-٤٢"}, "data.workplace_id: identifiers must use the digits 0-9"),
    ("MemberRecruited", {"member_ref": "m_９f2c"}, "data.member_ref: identifiers must use the digits 0-9"),
    ("ViolationCaseClosed", {"case_id": "case-２０２６-0107"}, "data.case_id: identifiers must use the digits 0-9"),
]


@pytest.mark.parametrize(("event_type", "overrides", "reason"), NON_ASCII_CODES, ids=[str(o) for _, o, _ in NON_ASCII_CODES])
def test_codes_and_identifiers_in_other_scripts_digits_are_refused(event_type, overrides, reason):
    rejection = decode(event(event_type, **overrides))
    assert isinstance(rejection, Rejection)
    assert reason in rejection.reason


def test_a_fullwidth_producer_is_refused():
    rejection = decode({**event("MemberRecruited"), "producer": "fspmi-١"})
    assert isinstance(rejection, Rejection) and "producer: identifiers must use the digits 0-9" in rejection.reason


# Every kind of field an event has, with a NIK typed into it: the reason names the field, never the NIK.
NIK_IN_EVERY_FIELD = [
    ("MemberRecruited", "region_code"),
    ("MemberRecruited", "sector"),
    ("MemberRecruited", "gender"),
    ("MemberRecruited", "recruited_on"),
    ("MemberRecruited", "member_ref"),
    ("UnionUnitEstablished", "founding_members"),
    ("ViolationReported", "summary"),
    ("ViolationReported", "category"),
    ("ViolationCaseProgressed", "stage"),
    ("SectorTargetSet", "period"),
    ("SectorTargetSet", "federation"),
    ("TargetMilestoneReached", "milestone"),
]


@pytest.mark.parametrize(("event_type", "field"), NIK_IN_EVERY_FIELD, ids=[f"{t}.{f}" for t, f in NIK_IN_EVERY_FIELD])
def test_a_nik_in_any_data_field_is_not_repeated_in_the_reason(event_type, field):
    value = NIK * 5 if field == "member_ref" else NIK  # member_ref takes any text up to 64 characters
    rejection = decode(event(event_type, **{field: value}))
    assert isinstance(rejection, Rejection)
    assert f"data.{field}" in rejection.reason
    assert NIK not in rejection.reason


@pytest.mark.parametrize("field", ["federation", "producer", "event_id", "occurred_at", "schema_version", "event_type"])
def test_a_nik_in_any_envelope_field_is_not_repeated_in_the_reason(field):
    value = NIK * 9 if field == "producer" else NIK  # producer takes any text up to 128 characters
    rejection = decode({**event("MemberRecruited"), field: value})
    assert isinstance(rejection, Rejection)
    assert NIK not in rejection.reason


def test_a_nik_as_an_unknown_key_is_not_repeated_in_the_reason():
    document = event("MemberRecruited")
    document["data"][NIK] = "x"
    rejection = decode(document)
    assert isinstance(rejection, Rejection)
    assert "data.<unknown field>: Extra inputs are not permitted" in rejection.reason
    assert NIK not in rejection.reason


def test_an_unknown_event_type_is_not_repeated_in_the_reason():
    rejection = decode_event(json.dumps({**CONTRACT_ENVELOPE, "event_type": NIK}).encode(), federations=FEDERATIONS)
    assert isinstance(rejection, Rejection)
    assert "unknown event_type" in rejection.reason and NIK not in rejection.reason
