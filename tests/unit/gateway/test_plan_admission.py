"""Plan items on a federation's ingress: only its own plan, only its own items (pure admission)."""

from __future__ import annotations

import json

import pytest

from gateway.admission import Refused, admit
from tests.integration.gateway.support import plan_added, plan_progressed

PUBLISHERS = frozenset({"FSPMI", "SPN", "KSPI"})
OWN_PLAN = "data.federation must be the credential's federation: confederation-wide plan items are the confederation's to add"
OWN_ITEMS = "data.item_id must begin with 'plan-fspmi-' or 'fspmi-': a federation names only its own plan items"


def _admit(event: dict):
    return admit(json.dumps(event).encode(), federation="FSPMI", publishers=PUBLISHERS)


@pytest.mark.parametrize(
    "event",
    [
        plan_added("plan-fspmi-1", federation="FSPMI", for_federation="FSPMI"),
        plan_added("FSPMI-2026-7", federation="FSPMI", for_federation="FSPMI"),
        plan_progressed("plan-fspmi-1", federation="FSPMI"),
    ],
)
def test_a_federations_own_plan_items_pass(event):
    assert not isinstance(_admit(event), Refused)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (plan_added("plan-fspmi-1", federation="FSPMI", for_federation="SPN"), OWN_PLAN),
        (plan_added("plan-fspmi-1", federation="FSPMI", for_federation=None), OWN_PLAN),
        (plan_added("plan-spn-1", federation="FSPMI", for_federation="FSPMI"), OWN_ITEMS),
        (plan_added("plan-kspi-1", federation="FSPMI", for_federation="FSPMI"), OWN_ITEMS),
        (plan_progressed("plan-spn-1", federation="FSPMI"), OWN_ITEMS),
        (plan_progressed("kspi-1", federation="FSPMI"), OWN_ITEMS),
    ],
)
def test_another_federations_plan_or_item_is_refused_with_its_reason(event, reason):
    assert _admit(event) == Refused(reason, "refused")
