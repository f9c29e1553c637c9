"""What a federation's ingress may carry: only its own events, of its own units and cases."""

from __future__ import annotations

import json

import pytest

from gateway.admission import Refused, admit
from organising_shared.namespaces import owner
from tests.integration.reporting.builders import (
    case_closed,
    case_progressed,
    recruited,
    unit_established,
    violation_reported,
)
from tests.integration.reporting.builders import event as envelope

PUBLISHERS = frozenset({"FSPMI", "SPN", "FSP-ISI", "KSPI"})


def _admit(event: dict, federation: str = "FSPMI"):
    return admit(json.dumps(event).encode(), federation=federation, publishers=PUBLISHERS)


@pytest.mark.parametrize(
    "event",
    [
        recruited("m-1"),
        unit_established("puk-fspmi-1"),
        unit_established("FSPMI-unit-7"),
        violation_reported("case-fspmi-9"),
        case_progressed("fspmi-2026-0107", "mediation"),
        case_closed("CASE-FSPMI-3"),
    ],
)
def test_a_federations_own_events_pass(event):
    admitted = _admit(event)
    assert not isinstance(admitted, Refused)
    assert admitted.federation == "FSPMI"


def test_an_event_in_another_federations_name_is_refused():
    assert _admit(recruited("m-1", federation="SPN")) == Refused(
        "envelope federation SPN does not match the credential's federation FSPMI", "refused"
    )


def test_the_confederations_name_is_not_a_federations_either():
    refused = _admit(recruited("m-1", federation="KSPI"))
    assert isinstance(refused, Refused) and refused.kind == "refused"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (unit_established("puk-spn-1"), "unit_id"),
        (unit_established("spn-1"), "unit_id"),
        (unit_established("puk-1"), "unit_id"),
        (violation_reported("case-spn-1"), "case_id"),
        (case_progressed("2026-0107", "mediation"), "case_id"),
        (case_closed("case-spn-1"), "case_id"),
    ],
)
def test_another_federations_or_nobodys_unit_or_case_is_refused(event, field):
    refused = _admit(event)
    assert isinstance(refused, Refused) and refused.kind == "refused"
    assert refused.reason.startswith(f"data.{field} must begin with ")
    assert event["data"][field] not in refused.reason  # codes and fields, never the value


def test_targets_and_progress_are_not_a_federations_to_send():
    target = envelope(
        "SectorTargetSet",
        {
            "period": "2026-S1",
            "sector": "metal",
            "federation": "FSPMI",
            "members_recruited": 1,
            "union_units_established": 1,
            "cases_resolved": 1,
            "set_by": "fspmi",
        },
    )
    refused = _admit(target)
    assert isinstance(refused, Refused) and refused.reason.startswith("SectorTargetSet is not accepted from a federation")


def test_an_invalid_event_is_refused_with_the_decoders_reason():
    refused = admit(b"{not json", federation="FSPMI", publishers=PUBLISHERS)
    assert isinstance(refused, Refused) and refused.kind == "invalid" and refused.reason.startswith("message is not valid JSON")


def test_the_longest_code_owns_an_id():
    assert owner("fsp-isi-7", kind="case-", codes={"FSP", "FSP-ISI"}) == "FSP-ISI"
    assert owner("case-fsp-7", kind="case-", codes={"FSP", "FSP-ISI"}) == "FSP"
    assert owner("puk-fspmi-1", kind="puk-", codes={"PUK", "FSPMI"}) == "FSPMI"
    assert owner("fspmi1", kind="puk-", codes={"FSPMI"}) is None
