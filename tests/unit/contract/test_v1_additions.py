"""The v1 additions (docs/contract.md): each new event's bounds, programmes, keys and namespaces."""

import json
from datetime import timedelta

import pytest

from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import MAX_COUNT
from organising_shared.namespaces import namespace_problem
from organising_shared.periods import jakarta_today
from organising_shared.programmes import DEFAULT_PROGRAMMES, Programme, programme_problem
from organising_shared.settings import OrganisingSettings
from organising_shared.topics import message_key
from tests.unit.contract.test_events import FEDERATIONS, event

PROGRAMMES = {programme.code for programme in DEFAULT_PROGRAMMES}


def decode(document: dict, *, topic: str | None = None):
    return decode_event(json.dumps(document).encode(), federations=FEDERATIONS, programmes=PROGRAMMES, topic=topic)


def refused(document: dict) -> str:
    outcome = decode(document)
    assert isinstance(outcome, Rejection), outcome
    return outcome.reason


TOMORROW_PLUS_ONE = (jakarta_today() + timedelta(days=2)).isoformat()

INVALID = [
    # ActionPlanItemAdded
    ("ActionPlanItemAdded", {"item_id": "p" * 65}, "item_id"),
    ("ActionPlanItemAdded", {"period": "2026-H1"}, "period"),
    ("ActionPlanItemAdded", {"sector": "mining"}, "sector"),
    ("ActionPlanItemAdded", {"federation": "NOPE"}, "federation"),
    ("ActionPlanItemAdded", {"kind": "party"}, "kind"),
    ("ActionPlanItemAdded", {"title": ""}, "title"),
    ("ActionPlanItemAdded", {"title": "x" * 201}, "title"),
    ("ActionPlanItemAdded", {"title": "Call 0812-3456-7890 for details"}, "title"),
    ("ActionPlanItemAdded", {"responsible": "r" * 101}, "responsible"),
    ("ActionPlanItemAdded", {"responsible": ""}, "responsible"),
    ("ActionPlanItemAdded", {"due_on": "2026-02-30"}, "due_on"),
    ("ActionPlanItemAdded", {"planned_count": -1}, "planned_count"),
    ("ActionPlanItemAdded", {"planned_count": MAX_COUNT + 1}, "planned_count"),
    ("ActionPlanItemAdded", {"programme": "UNKNOWN-2026"}, "programme"),
    ("ActionPlanItemAdded", {"title": ...}, "title"),
    ("ActionPlanItemAdded", {"due_on": ...}, "due_on"),
    # ActionPlanItemProgressed
    ("ActionPlanItemProgressed", {"status": "finished"}, "status"),
    ("ActionPlanItemProgressed", {"changed_on": TOMORROW_PLUS_ONE}, "changed_on"),
    ("ActionPlanItemProgressed", {"note": "n" * 1001}, "note"),
    ("ActionPlanItemProgressed", {"note": "contact ketua@example.org"}, "note"),
    ("ActionPlanItemProgressed", {"item_id": ...}, "item_id"),
    # ActivityHeld
    ("ActivityHeld", {"days": 0}, "days"),
    ("ActivityHeld", {"days": 31}, "days"),
    ("ActivityHeld", {"kind": "party"}, "kind"),
    ("ActivityHeld", {"held_on": TOMORROW_PLUS_ONE}, "held_on"),
    ("ActivityHeld", {"region_code": "99"}, "region_code"),
    ("ActivityHeld", {"participants": {"female": 0, "male": 0, "unspecified": 0}}, "participants"),
    ("ActivityHeld", {"participants": {"female": -1, "male": 3, "unspecified": 0}}, "participants.female"),
    ("ActivityHeld", {"participants": {"female": 1, "male": MAX_COUNT + 1, "unspecified": 0}}, "participants.male"),
    ("ActivityHeld", {"participants": {"female": 1, "male": 1}}, "participants.unspecified"),
    ("ActivityHeld", {"cadres_trained": 26}, "cadres_trained"),
    ("ActivityHeld", {"cadres_trained": -1}, "cadres_trained"),
    ("ActivityHeld", {"programme": "NOPE-1"}, "programme"),
    ("ActivityHeld", {"activity_id": "a" * 65}, "activity_id"),
    # WorkplaceRegistered
    ("WorkplaceRegistered", {"workforce": 0}, "workforce"),
    ("WorkplaceRegistered", {"workforce": MAX_COUNT + 1}, "workforce"),
    ("WorkplaceRegistered", {"women_percent": 100.5}, "women_percent"),
    ("WorkplaceRegistered", {"outsourced_percent": -0.1}, "outsourced_percent"),
    ("WorkplaceRegistered", {"cba": "signed"}, "cba"),
    ("WorkplaceRegistered", {"employer": ""}, "employer"),
    ("WorkplaceRegistered", {"employer": "e" * 201}, "employer"),
    ("WorkplaceRegistered", {"employer": ...}, "employer"),
    # WorkplaceUpdated
    ("WorkplaceUpdated", {"workforce": ...}, "at least one of"),
    ("WorkplaceUpdated", {"workforce": 0}, "workforce"),
    ("WorkplaceUpdated", {"cba": "signed"}, "cba"),
    ("WorkplaceUpdated", {"women_percent": 101}, "women_percent"),
    ("WorkplaceUpdated", {"changed_on": TOMORROW_PLUS_ONE}, "changed_on"),
]


@pytest.mark.parametrize(("event_type", "overrides", "named"), INVALID, ids=[f"{t}-{n}-{i}" for i, (t, _, n) in enumerate(INVALID)])
def test_each_bound_of_the_new_events_is_refused_with_the_field_named(event_type, overrides, named):
    reason = refused(event(event_type, **overrides))
    assert named in reason
    # The reason never repeats what was submitted.
    for value in overrides.values():
        if isinstance(value, str) and len(value) >= 6:
            assert value not in reason


@pytest.mark.parametrize(
    ("event_type", "overrides"),
    [
        ("ActionPlanItemAdded", {"federation": ..., "planned_count": ..., "programme": ...}),  # confederation-wide
        ("ActionPlanItemAdded", {"due_on": "2030-12-31", "planned_count": MAX_COUNT}),  # due dates lie ahead
        ("ActivityHeld", {"sector": ..., "cadres_trained": ..., "plan_item_id": ..., "programme": ...}),
        ("ActivityHeld", {"days": 30, "participants": {"female": 0, "male": 0, "unspecified": 1}, "cadres_trained": 1}),
        ("WorkplaceRegistered", {"women_percent": 0, "outsourced_percent": 100, "cba": "none", "cba_expires_on": ...}),
        ("WorkplaceUpdated", {"workforce": ..., "cba": "negotiating"}),
        ("WorkplaceUpdated", {"workforce": ..., "cba_expires_on": "2028-01-31"}),
    ],
)
def test_the_edges_of_each_bound_are_accepted(event_type, overrides):
    outcome = decode(event(event_type, **overrides))
    assert not isinstance(outcome, Rejection), outcome


def test_an_unknown_programme_is_refused_only_against_a_configured_list():
    document = event("ActivityHeld", programme="OTHER-2027")
    assert isinstance(decode(document), Rejection)
    # Without a configured list (a tool that only checks the shape), any well-formed code passes.
    assert not isinstance(decode_event(json.dumps(document).encode(), federations=FEDERATIONS), Rejection)


def test_new_events_belong_on_their_own_topics():
    assert isinstance(decode(event("ActivityHeld"), topic="organising.membership.v1"), Rejection)
    assert not isinstance(decode(event("ActivityHeld"), topic="organising.activities.v1"), Rejection)
    assert not isinstance(decode(event("WorkplaceUpdated"), topic="organising.workplaces.v1"), Rejection)
    assert not isinstance(decode(event("ActionPlanItemProgressed"), topic="organising.plans.v1"), Rejection)


def test_keys_of_the_new_topics():
    assert message_key(decode(event("ActionPlanItemAdded"))) == b"metal"
    assert message_key(decode(event("ActionPlanItemProgressed")), sector="cement") == b"cement"
    with pytest.raises(ValueError, match="sector"):
        message_key(decode(event("ActionPlanItemProgressed")))
    assert message_key(decode(event("ActivityHeld"))) == b"FSPMI"
    assert message_key(decode(event("WorkplaceUpdated"))) == b"wp-bekasi-0042"


def test_plan_items_and_activities_are_named_in_the_federations_namespace():
    codes = FEDERATIONS
    assert namespace_problem("item_id", "plan-fspmi-7", federation="FSPMI", codes=codes) is None
    assert namespace_problem("activity_id", "act-spn-1", federation="SPN", codes=codes) is None
    assert "plan items" in namespace_problem("item_id", "plan-spn-7", federation="FSPMI", codes=codes)
    assert "activities" in namespace_problem("activity_id", "act-7", federation="FSPMI", codes=codes)


def test_programmes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "ORGANISING_PROGRAMMES",
        json.dumps(
            [
                {
                    "code": "ILO-2027",
                    "name": "Decent work",
                    "partners": ["ILO"],
                    "period": "2027-S1",
                    "federations": ["SPN"],
                    "sectors": ["garment_textile"],
                }
            ]
        ),
    )
    settings = OrganisingSettings()
    assert settings.programme_codes == {"ILO-2027"}
    programme = settings.programmes[0]
    assert programme.covers(federation="SPN", sector="garment_textile")
    assert not programme.covers(federation="FSPMI", sector=None)
    assert programme_problem("SASK-APHEDA-2026", settings.programmes) is not None


def test_a_programme_with_a_bad_period_or_duplicate_code_is_refused_at_start(monkeypatch):
    with pytest.raises(ValueError, match="period"):
        Programme(code="X-1", name="x", partners=("a",), period="2026-H2", federations=("SPN",), sectors=("metal",))
    one = {"code": "X-1", "name": "x", "partners": ["a"], "period": "2026", "federations": ["SPN"], "sectors": ["metal"]}
    monkeypatch.setenv("ORGANISING_PROGRAMMES", json.dumps([one, one]))
    with pytest.raises(ValueError, match="distinct"):
        OrganisingSettings()
