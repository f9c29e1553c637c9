"""Bad organising reports: every bound of the contract's v1 additions is a 422 naming the field,
never echoing the value, and nothing is written (docs/contract.md, "v1 additions")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from organising_shared.periods import jakarta_today
from recruitment.store import ACTIVITIES, PLAN_ITEMS, WORKPLACES
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_events

pytestmark = pytest.mark.integration

TOMORROW = (jakarta_today() + timedelta(days=1)).isoformat()
# Personal data typed where it does not belong: refused, and never repeated in the answer.
NIK_TEXT = "worker NIK 3216012345670002 asked for help"
PHONE_TEXT = "call the organiser on 081234567891"
EMAIL_TEXT = "write to organiser@example.org"
MAX = 10_000_000


def _participants(**overrides):
    return {"female": 14, "male": 11, "unspecified": 0, **overrides}


PLAN_ITEMS_REFUSED = [
    ({"item_id": "plan-fspmi-" + "x" * 60}, "body.item_id"),
    ({"item_id": "plan-kep-1"}, "body.item_id"),  # another federation's namespace
    ({"item_id": "3216012345670002"}, "body.item_id"),  # a NIK as an id
    ({"period": "2026-H1"}, "body.period"),
    ({"period": "2026-S3"}, "body.period"),
    ({"sector": "textiles"}, "body.sector"),
    ({"kind": "party"}, "body.kind"),
    ({"title": ""}, "body.title"),
    ({"title": "x" * 201}, "body.title"),
    ({"title": NIK_TEXT}, "body.title"),
    ({"responsible": ""}, "body.responsible"),
    ({"responsible": "x" * 101}, "body.responsible"),
    ({"responsible": PHONE_TEXT}, "body.responsible"),
    ({"due_on": "2026-02-30"}, "body.due_on"),
    ({"planned_count": -1}, "body.planned_count"),
    ({"planned_count": MAX + 1}, "body.planned_count"),
    ({"programme": "NOPE-2026"}, "body.programme"),  # well formed, not configured
    ({"programme": "sask apheda"}, "body.programme"),
    ({"federation": "NOPE"}, "federation"),
    ({"nama": "Siti"}, "body.nama"),
]
PROGRESS_REFUSED = [
    ({"status": "finished"}, "body.status"),
    ({"changed_on": TOMORROW}, "body.changed_on"),
    ({"note": "x" * 1001}, "body.note"),
    ({"note": EMAIL_TEXT}, "body.note"),
    ({"status": None}, "body.status"),
]
ACTIVITIES_REFUSED = [
    ({"activity_id": "act-fspmi-" + "x" * 60}, "body.activity_id"),
    ({"activity_id": "act-spn-1"}, "body.activity_id"),
    ({"kind": "party"}, "body.kind"),
    ({"title": ""}, "body.title"),
    ({"title": "x" * 201}, "body.title"),
    ({"title": PHONE_TEXT}, "body.title"),
    ({"held_on": TOMORROW}, "body.held_on"),
    ({"days": 0}, "body.days"),
    ({"days": 31}, "body.days"),
    ({"sector": "textiles"}, "body.sector"),
    ({"region_code": "99.01"}, "body.region_code"),
    ({"participants": _participants(female=-1)}, "body.participants.female"),
    ({"participants": _participants(male=MAX + 1)}, "body.participants.male"),
    ({"participants": {"female": 3, "male": 2}}, "body.participants.unspecified"),
    ({"participants": {"female": 0, "male": 0, "unspecified": 0}}, "body.participants"),
    ({"cadres_trained": -1}, "body.cadres_trained"),
    ({"cadres_trained": 26}, "body"),  # more than the 25 participants
    ({"plan_item_id": "x" * 65}, "body.plan_item_id"),
    ({"programme": "NOPE-2026"}, "body.programme"),
]
WORKPLACES_REFUSED = [
    ({"workplace_id": "w" * 129}, "body.workplace_id"),
    ({"workplace_id": "3216012345670002"}, "body.workplace_id"),
    ({"sector": "textiles"}, "body.sector"),
    ({"region_code": "3216"}, "body.region_code"),
    ({"employer": ""}, "body.employer"),
    ({"employer": "x" * 201}, "body.employer"),
    ({"employer": EMAIL_TEXT}, "body.employer"),
    ({"workforce": 0}, "body.workforce"),
    ({"workforce": MAX + 1}, "body.workforce"),
    ({"women_percent": 100.5}, "body.women_percent"),
    ({"women_percent": -1}, "body.women_percent"),
    ({"outsourced_percent": 101}, "body.outsourced_percent"),
    ({"cba": "signed"}, "body.cba"),
    ({"cba_expires_on": "next year"}, "body.cba_expires_on"),
]
UPDATES_REFUSED = [
    ({"changed_on": TOMORROW}, "body.changed_on"),
    ({"cba": None, "cba_expires_on": None, "workforce": None}, "body"),  # changes nothing
    ({"workforce": 0}, "body.workforce"),
    ({"women_percent": 100.01}, "body.women_percent"),
    ({"outsourced_percent": -0.5}, "body.outsourced_percent"),
    ({"employer": ""}, "body.employer"),
    ({"employer": NIK_TEXT}, "body.employer"),
    ({"cba": "signed"}, "body.cba"),
]


def _ids(cases):
    return [f"{field}:{'/'.join(override)}" for override, field in cases]


def _refused_naming(response, field: str, override: dict) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in [item["field"] for item in problem["errors"]], response.text
    assert all(item["reason"] for item in problem["errors"])
    for value in override.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in response.text, "a refused value was echoed back"


async def _nothing_written(db, before: int = 0) -> None:
    assert await outbox_events(db) == before
    assert await db[ACTIVITIES].count_documents({}) == 0


@pytest.mark.parametrize(("override", "field"), PLAN_ITEMS_REFUSED, ids=_ids(PLAN_ITEMS_REFUSED))
async def test_a_bad_plan_item_is_refused_naming_the_field(client, tokens, db, override, field):
    body = {key: value for key, value in {**payloads.plan_item(), **override}.items() if value is not None}
    _refused_naming(await client.post("/api/v1/plan-items", json=body, headers=Tokens.header(tokens.fspmi)), field, override)
    await _nothing_written(db)
    assert await db[PLAN_ITEMS].count_documents({}) == 0


async def test_a_bad_progress_is_refused_naming_the_field(client, tokens, db):
    fspmi = Tokens.header(tokens.fspmi)
    item_id = (await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=fspmi)).json()["item_id"]
    for override, field in PROGRESS_REFUSED:
        response = await client.post(f"/api/v1/plan-items/{item_id}/progress", json=payloads.plan_progress(**override), headers=fspmi)
        _refused_naming(response, field, override)
    too_long = await client.post("/api/v1/plan-items/" + "p" * 65 + "/progress", json=payloads.plan_progress(), headers=fspmi)
    _refused_naming(too_long, "path.item_id", {})
    await _nothing_written(db, before=1)
    assert (await db[PLAN_ITEMS].find_one({"_id": item_id}))["status"] == "planned"


@pytest.mark.parametrize(("override", "field"), ACTIVITIES_REFUSED, ids=_ids(ACTIVITIES_REFUSED))
async def test_a_bad_activity_is_refused_naming_the_field(client, tokens, db, override, field):
    body = {**payloads.activity(), **override}
    _refused_naming(await client.post("/api/v1/activities", json=body, headers=Tokens.header(tokens.fspmi)), field, override)
    await _nothing_written(db)


@pytest.mark.parametrize(("override", "field"), WORKPLACES_REFUSED, ids=_ids(WORKPLACES_REFUSED))
async def test_a_bad_workplace_is_refused_naming_the_field(client, tokens, db, override, field):
    body = {**payloads.workplace(), **override}
    _refused_naming(await client.post("/api/v1/workplaces", json=body, headers=Tokens.header(tokens.fspmi)), field, override)
    await _nothing_written(db)
    assert await db[WORKPLACES].count_documents({}) == 0


async def test_a_bad_workplace_update_is_refused_naming_the_field(client, tokens, db):
    fspmi = Tokens.header(tokens.fspmi)
    assert (await client.post("/api/v1/workplaces", json=payloads.workplace(), headers=fspmi)).status_code == 201
    for override, field in UPDATES_REFUSED:
        body = {key: value for key, value in {**payloads.workplace_update(), **override}.items() if value is not None}
        _refused_naming(await client.post("/api/v1/workplaces/wp-bekasi-0042/updates", json=body, headers=fspmi), field, override)
    too_long = await client.post("/api/v1/workplaces/" + "w" * 129 + "/updates", json=payloads.workplace_update(), headers=fspmi)
    _refused_naming(too_long, "path.workplace_id", {})
    await _nothing_written(db, before=1)
    assert (await db[WORKPLACES].find_one({}))["current"]["cba"] == "negotiating"
