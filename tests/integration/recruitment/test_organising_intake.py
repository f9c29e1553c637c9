"""The intake for the organising work (plan items, activities, workplaces), on the real broker and store:
each write is one contract event on its topic with its key, exactly once; retries write once; a
federation acts only for itself; and the intake's own record of plan items reads back."""

from __future__ import annotations

import pytest

from recruitment.store import WORKPLACES
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_drained, outbox_events, published

pytestmark = pytest.mark.integration


async def test_each_write_becomes_one_event_on_its_topic_with_its_key(client, tokens, recruitment_settings, db):
    fspmi, admin = Tokens.header(tokens.fspmi), Tokens.header(tokens.admin)
    item = await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=fspmi)
    item_id = item.json()["item_id"]
    progressed = await client.post(f"/api/v1/plan-items/{item_id}/progress", json=payloads.plan_progress(), headers=fspmi)
    # An admin naming no federation adds a confederation-wide item, and may progress it.
    confederation = await client.post("/api/v1/plan-items", json=payloads.plan_item(sector="cement", planned_count=None), headers=admin)
    confederation_id = confederation.json()["item_id"]
    confederation_done = await client.post(
        f"/api/v1/plan-items/{confederation_id}/progress", json=payloads.plan_progress(status="done", note=None), headers=admin
    )
    activity = await client.post("/api/v1/activities", json=payloads.activity(), headers=fspmi)
    workplace = await client.post("/api/v1/workplaces", json=payloads.workplace(), headers=fspmi)
    updated = await client.post("/api/v1/workplaces/wp-bekasi-0042/updates", json=payloads.workplace_update(), headers=fspmi)
    answers = [item, progressed, confederation, confederation_done, activity, workplace, updated]
    assert [answer.status_code for answer in answers] == [201] * 7, [answer.text for answer in answers]
    assert item_id.startswith("plan-fspmi-") and confederation_id.startswith("plan-kspi-")
    assert activity.json()["activity_id"].startswith("act-fspmi-")
    assert workplace.json()["workplace_id"] == updated.json()["workplace_id"] == "wp-bekasi-0042"

    await outbox_drained(db, expected=7)
    topics = recruitment_settings.topics
    publishers = recruitment_settings.publishers
    plans = await published(recruitment_settings, topics.plans, expected=4, federations=publishers)
    activities = await published(recruitment_settings, topics.activities, expected=1)
    workplaces = await published(recruitment_settings, topics.workplaces, expected=2)
    assert (len(plans), len(activities), len(workplaces)) == (4, 1, 2), "a write was published more than once"
    assert {str(event.event_id) for _, event in plans + activities + workplaces} == {answer.json()["event_id"] for answer in answers}
    by_id = {str(event.event_id): (record, event) for record, event in plans + activities + workplaces}

    record, event = by_id[item.json()["event_id"]]
    assert (event.event_type, event.federation, event.data.federation, record.key) == ("ActionPlanItemAdded", "FSPMI", "FSPMI", b"metal")
    assert (event.data.item_id, event.data.programme, event.data.planned_count) == (item_id, payloads.PROGRAMME, 300)
    assert event.producer == recruitment_settings.producer_name
    # A progress carries no sector: it is keyed by its item's, so one sector's plan stays in one partition, in order.
    progress_record, progress = by_id[progressed.json()["event_id"]]
    assert (progress.event_type, progress.federation, progress_record.key) == ("ActionPlanItemProgressed", "FSPMI", b"metal")
    assert (progress.data.item_id, progress.data.status) == (item_id, "in_progress")
    assert progress_record.partition == record.partition and progress_record.offset > record.offset

    record, event = by_id[confederation.json()["event_id"]]
    assert (event.federation, event.data.federation, record.key) == (recruitment_settings.confederation, None, b"cement")
    record, event = by_id[confederation_done.json()["event_id"]]
    assert (event.federation, event.data.status, record.key) == (recruitment_settings.confederation, "done", b"cement")

    record, event = by_id[activity.json()["event_id"]]
    assert (event.event_type, event.federation, record.key) == ("ActivityHeld", "FSPMI", b"FSPMI")
    assert (event.data.participants.total, event.data.cadres_trained, event.data.programme) == (25, 8, payloads.PROGRAMME)

    registered_record, registered = by_id[workplace.json()["event_id"]]
    update_record, update = by_id[updated.json()["event_id"]]
    assert (registered.event_type, registered_record.key, registered.data.outsourced_percent) == (
        "WorkplaceRegistered",
        b"wp-bekasi-0042",
        20.5,
    )
    assert (update.event_type, update_record.key) == ("WorkplaceUpdated", b"wp-bekasi-0042")
    assert (update.data.cba, update.data.workforce, update.data.employer) == ("in_force", 1900, None)
    assert update_record.partition == registered_record.partition and update_record.offset > registered_record.offset


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_once(client, tokens, db):
    fspmi = Tokens.header(tokens.fspmi)
    item_id = (await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=fspmi)).json()["item_id"]
    await client.post("/api/v1/workplaces", json=payloads.workplace(workplace_id="wp-retried"), headers=fspmi)
    writes = [
        ("/api/v1/plan-items", payloads.plan_item(title="Second drive")),
        (f"/api/v1/plan-items/{item_id}/progress", payloads.plan_progress()),
        ("/api/v1/activities", payloads.activity()),
        ("/api/v1/workplaces", payloads.workplace()),
        ("/api/v1/workplaces/wp-retried/updates", payloads.workplace_update()),
    ]
    before = await outbox_events(db)
    for number, (path, body) in enumerate(writes):
        headers = {**fspmi, "Idempotency-Key": f"organising-{number}"}
        first = await client.post(path, json=body, headers=headers)
        again = await client.post(path, json=body, headers=headers)
        assert first.status_code == again.status_code == 201, (path, first.text, again.text)
        assert again.json() == first.json(), path
    assert await outbox_events(db) == before + len(writes)

    # The same key for another body is refused, and writes nothing.
    reused = await client.post("/api/v1/activities", json=payloads.activity(days=3), headers={**fspmi, "Idempotency-Key": "organising-2"})
    assert reused.status_code == 422 and reused.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await outbox_events(db) == before + len(writes)


async def test_the_same_workplace_registered_again_is_answered_not_published_twice(client, tokens, db):
    fspmi, spn = Tokens.header(tokens.fspmi), Tokens.header(tokens.spn)
    first = await client.post("/api/v1/workplaces", json=payloads.workplace(), headers=fspmi)
    again = await client.post("/api/v1/workplaces", json=payloads.workplace(), headers=fspmi)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "already_registered": True}
    changed = await client.post("/api/v1/workplaces", json=payloads.workplace(workforce=2000), headers=fspmi)
    assert changed.status_code == 409, changed.text
    assert await outbox_events(db) == 1
    # Workplaces are the federation's: another federation registers the same factory as its own.
    assert (await client.post("/api/v1/workplaces", json=payloads.workplace(), headers=spn)).status_code == 201
    assert await db[WORKPLACES].count_documents({}) == 2


async def test_a_federation_acts_only_for_itself_and_an_admin_for_any(client, tokens, db):
    fspmi, spn, admin = Tokens.header(tokens.fspmi), Tokens.header(tokens.spn), Tokens.header(tokens.admin)
    spn_item = (await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=spn)).json()["item_id"]
    confederation_item = (await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=admin)).json()["item_id"]
    await client.post("/api/v1/workplaces", json=payloads.workplace(), headers=spn)
    written = await outbox_events(db)

    refused = [
        await client.post("/api/v1/plan-items", json=payloads.plan_item(federation="SPN"), headers=fspmi),
        await client.post(f"/api/v1/plan-items/{spn_item}/progress", json=payloads.plan_progress(), headers=fspmi),
        await client.post(f"/api/v1/plan-items/{confederation_item}/progress", json=payloads.plan_progress(), headers=fspmi),
        await client.post("/api/v1/activities", json=payloads.activity(federation="SPN"), headers=fspmi),
        await client.post("/api/v1/workplaces", json=payloads.workplace(federation="SPN"), headers=fspmi),
        await client.post("/api/v1/workplaces/wp-bekasi-0042/updates", json=payloads.workplace_update(federation="SPN"), headers=fspmi),
        await client.get("/api/v1/plan-items", params={"federation": "SPN"}, headers=fspmi),
    ]
    assert [answer.status_code for answer in refused] == [403] * len(refused), [answer.text for answer in refused]
    # A federation's own name in another's id is still not its id: the namespace rule.
    stolen = await client.post("/api/v1/plan-items", json=payloads.plan_item(item_id="plan-spn-7"), headers=fspmi)
    assert stolen.status_code == 422 and stolen.json()["errors"][0]["field"] == "body.item_id"
    # FSPMI registered no workplace of this id: its update names nothing (SPN's is SPN's).
    unknown = await client.post("/api/v1/workplaces/wp-bekasi-0042/updates", json=payloads.workplace_update(), headers=fspmi)
    missing = await client.post("/api/v1/plan-items/plan-fspmi-nothing/progress", json=payloads.plan_progress(), headers=fspmi)
    assert (unknown.status_code, missing.status_code) == (404, 404)
    assert await outbox_events(db) == written

    allowed = [
        await client.post("/api/v1/plan-items", json=payloads.plan_item(federation="SPN", item_id="plan-spn-7"), headers=admin),
        await client.post(f"/api/v1/plan-items/{spn_item}/progress", json=payloads.plan_progress(status="done"), headers=admin),
        await client.post("/api/v1/activities", json=payloads.activity(federation="SPN"), headers=admin),
        await client.post("/api/v1/workplaces/wp-bekasi-0042/updates", json=payloads.workplace_update(federation="SPN"), headers=admin),
        await client.post(f"/api/v1/plan-items/{spn_item}/progress", json=payloads.plan_progress(changed_on="2026-04-11"), headers=spn),
    ]
    assert [answer.status_code for answer in allowed] == [201] * len(allowed), [answer.text for answer in allowed]
    assert await outbox_events(db) == written + len(allowed)
    # An admin must still name a federation where the write is one federation's.
    assert (await client.post("/api/v1/activities", json=payloads.activity(), headers=admin)).status_code == 422


async def test_plan_items_read_back_with_their_latest_status(client, tokens):
    fspmi, spn, admin = Tokens.header(tokens.fspmi), Tokens.header(tokens.spn), Tokens.header(tokens.admin)
    drive = (await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=fspmi)).json()["item_id"]
    training = payloads.plan_item(period="2026-S2", sector="chemical", kind="training", item_id="FSPMI-train-1", programme=None)
    assert (await client.post("/api/v1/plan-items", json=training, headers=fspmi)).status_code == 201
    await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=spn)
    await client.post("/api/v1/plan-items", json=payloads.plan_item(), headers=admin)
    # The latest change by changed_on wins, whatever order they arrive in.
    for status, changed_on in (("done", "2026-05-20"), ("in_progress", "2026-04-10")):
        answer = await client.post(
            f"/api/v1/plan-items/{drive}/progress", json=payloads.plan_progress(status=status, changed_on=changed_on), headers=fspmi
        )
        assert answer.status_code == 201

    own = (await client.get("/api/v1/plan-items", headers=fspmi)).json()
    assert [item["item_id"] for item in own["items"]] == sorted([drive, "FSPMI-train-1"])
    by_id = {item["item_id"]: item for item in own["items"]}
    assert (by_id[drive]["status"], by_id[drive]["status_changed_on"], by_id[drive]["federation"]) == ("done", "2026-05-20", "FSPMI")
    assert (by_id["FSPMI-train-1"]["status"], by_id["FSPMI-train-1"]["status_changed_on"]) == ("planned", None)
    assert by_id[drive]["note"] == payloads.plan_progress()["note"]

    semester = (await client.get("/api/v1/plan-items", params={"period": "2026-S2"}, headers=fspmi)).json()["items"]
    assert [item["item_id"] for item in semester] == ["FSPMI-train-1"]
    metal = (await client.get("/api/v1/plan-items", params={"sector": "metal"}, headers=fspmi)).json()["items"]
    assert [item["item_id"] for item in metal] == [drive]

    everything = (await client.get("/api/v1/plan-items", params={"limit": 3}, headers=admin)).json()
    rest = (await client.get("/api/v1/plan-items", params={"limit": 3, "after": everything["next_after"]}, headers=admin)).json()
    items = everything["items"] + rest["items"]
    assert len(items) == 4 and rest["next_after"] is None
    assert sorted(item["federation"] or "" for item in items) == ["", "FSPMI", "FSPMI", "SPN"]  # "": confederation-wide
    spn_only = (await client.get("/api/v1/plan-items", params={"federation": "SPN"}, headers=admin)).json()["items"]
    assert [item["federation"] for item in spn_only] == ["SPN"]
    assert (await client.get("/api/v1/plan-items", headers=Tokens.header(tokens.viewer))).status_code == 403


async def test_the_reference_data_has_both_labels_for_every_code(client, recruitment_settings):
    response = await client.get("/api/v1/reference")  # no token: nothing in it is a federation's
    assert response.status_code == 200
    reference = response.json()
    assert set(reference) == {
        "sectors",
        "employment_statuses",
        "genders",
        "age_bands",
        "leave_reasons",
        "violation_categories",
        "case_stages",
        "case_outcomes",
        "plan_item_kinds",
        "plan_item_statuses",
        "activity_kinds",
        "cba_statuses",
        "provinces",
        "programmes",
        "federations",
    }
    for name, entries in reference.items():
        assert entries, name
        for entry in entries:
            assert set(entry) == {"code", "label_id", "label_en"} and all(entry.values()), (name, entry)
    assert len(reference["provinces"]) == 38
    assert {"code": "32", "label_id": "Jawa Barat", "label_en": "Jawa Barat"} in reference["provinces"]
    assert [entry["code"] for entry in reference["programmes"]] == sorted(recruitment_settings.programme_codes)
    assert [entry["code"] for entry in reference["federations"]] == list(recruitment_settings.federations)
    assert {"code": "mediation", "label_id": "Mediasi", "label_en": "Mediation"} in reference["case_stages"]
