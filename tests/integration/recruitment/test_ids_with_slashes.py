"""Ids the federations choose may hold slashes (a case numbered 001/PUK-FSPMI/VII/2026): the
routes that name a record by its id reach it whether the slash is sent as %2F or as it is."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_events

pytestmark = pytest.mark.integration

CASE = "case-fspmi-001/PUK/VII/2026"
ITEM = "plan-fspmi-2026/07"
WORKPLACE = "wp/bekasi/0042"


async def test_a_case_a_plan_item_and_a_workplace_with_slashes_in_their_ids_are_reached(client, tokens, db):
    fspmi = Tokens.header(tokens.fspmi)
    reported = await client.post("/api/v1/violations", json=payloads.violation(case_id=CASE), headers=fspmi)
    assert reported.status_code == 201, reported.text
    assert reported.json()["case_id"] == CASE
    progressed = await client.post(
        f"/api/v1/violations/{quote(CASE, safe='')}/progress", json={"stage": "mediation", "changed_on": "2026-04-02"}, headers=fspmi
    )
    closed = await client.post(f"/api/v1/violations/{CASE}/close", json={"outcome": "won", "closed_on": "2026-04-20"}, headers=fspmi)
    assert (progressed.status_code, closed.status_code) == (201, 201), (progressed.text, closed.text)

    item = await client.post("/api/v1/plan-items", json=payloads.plan_item(item_id=ITEM), headers=fspmi)
    assert item.status_code == 201, item.text
    item_progress = await client.post(f"/api/v1/plan-items/{quote(ITEM, safe='')}/progress", json=payloads.plan_progress(), headers=fspmi)
    assert item_progress.status_code == 201, item_progress.text
    assert item_progress.json()["item_id"] == ITEM

    workplace = await client.post("/api/v1/workplaces", json=payloads.workplace(workplace_id=WORKPLACE), headers=fspmi)
    assert workplace.status_code == 201, workplace.text
    updated = await client.post(f"/api/v1/workplaces/{quote(WORKPLACE, safe='')}/updates", json=payloads.workplace_update(), headers=fspmi)
    assert updated.status_code == 201, updated.text
    assert updated.json()["workplace_id"] == WORKPLACE
    assert await outbox_events(db) == 7

    # A case that was never reported is still a clear 404, slashes or not.
    unknown = await client.post(
        f"/api/v1/violations/{quote('case-fspmi-002/PUK/2026', safe='')}/close",
        json={"outcome": "won", "closed_on": "2026-04-20"},
        headers=fspmi,
    )
    assert unknown.status_code == 404
