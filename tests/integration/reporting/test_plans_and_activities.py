"""Action plan items and activities, end to end: real broker, real store, the HTTP API, a rebuild.

Duplicates (the same event_id again), reordering (a progress before its item, an older progress
after a newer one, two progresses on one day), a second report of one item or activity under
another event_id, the period rules, scoping, small cells, and a rebuild that reaches the same
documents and the same answers.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest

from organising_shared.auth.principal import Role
from organising_shared.periods import jakarta_today
from reporting.projection.generations import current_generation
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually, read_topic
from tests.integration.reporting.organising_builders import (
    SASK,
    activity_held,
    issue,
    plan_added,
    plan_progressed,
    plan_scenario,
    publish_keyed,
)
from tests.integration.reporting.support import ADMIN, applied_offsets, running_service

pytestmark = pytest.mark.integration


def without_as_of(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "as_of"}


async def _at_least(value, expected):
    return await value >= expected


async def test_plans_and_activities_are_counted_once_in_any_order_and_a_rebuild_agrees(reporting_settings, infrastructure):
    early, rest, later = plan_scenario()
    async with running_service(reporting_settings) as client:
        await publish_keyed(reporting_settings, early)
        generation = await current_generation(client.app.state.reporting_database)
        await eventually(lambda: generation.plan_items.find_one({"_id": "plan-fspmi-2"}), what="the progress stored before its item")
        assert (await generation.plan_items.find_one({"_id": "plan-fspmi-2"}))["state"] is None
        assert (await client.get("/api/v1/plans/plan-fspmi-2", headers=ADMIN)).status_code == 404  # no item yet
        await publish_keyed(reporting_settings, rest)
        await publish_keyed(reporting_settings, later)
        sent = len(early) + len(rest) + len(later)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), sent), what="every record applied")

        plans = (await client.get("/api/v1/plans", params={"period": "2026-S1"}, headers=ADMIN)).json()
        assert [(item["item_id"], item["status"], item["overdue"]) for item in plans["items"]] == [
            ("plan-kspi-1", "planned", True),
            ("plan-fspmi-1", "done", False),
            ("plan-fspmi-2", "in_progress", True),
            ("plan-spn-1", "in_progress", True),
            ("plan-fspmi-3", "dropped", False),
        ]
        p1 = plans["items"][1]
        assert p1 == {
            "item_id": "plan-fspmi-1",
            "period": "2026-S1",
            "sector": "metal",
            "federation": "FSPMI",
            "kind": "recruitment_drive",
            "title": "Recruitment drive at the Bekasi estates",
            "responsible": "DPW Jawa Barat",
            "due_on": "2026-03-31",
            "planned_count": 100,
            "programme": None,
            "status": "done",
            "status_changed_on": "2026-03-20",
            "note": "Target met at 3 estates",
            "overdue": False,
        }
        p6 = plans["items"][4]
        assert (p6["due_on"], p6["kind"], p6["planned_count"]) == ("2026-02-28", "training", 5)  # the first report
        assert plans["summary"] == [
            {"sector": "metal", "federation": None, "planned": 1, "done": 0, "in_progress": 0, "postponed": 0, "dropped": 0, "overdue": 1},
            {
                "sector": "metal",
                "federation": "FSPMI",
                "planned": 2,
                "done": 1,
                "in_progress": 1,
                "postponed": 0,
                "dropped": 0,
                "overdue": 1,
            },
            {"sector": "metal", "federation": "SPN", "planned": 1, "done": 0, "in_progress": 1, "postponed": 0, "dropped": 0, "overdue": 1},
            {
                "sector": "cement",
                "federation": "FSPMI",
                "planned": 1,
                "done": 0,
                "in_progress": 0,
                "postponed": 0,
                "dropped": 1,
                "overdue": 0,
            },
        ]
        year = (await client.get("/api/v1/plans", params={"period": "2026", "sector": "metal", "federation": "KSPI"}, headers=ADMIN)).json()
        assert year["items"] == []  # confederation-wide items have no federation, not "KSPI"
        metal_year = (await client.get("/api/v1/plans", params={"period": "2026", "sector": "metal"}, headers=ADMIN)).json()
        assert [item["item_id"] for item in metal_year["items"]] == [
            "plan-kspi-1",
            "plan-kspi-2",
            "plan-fspmi-1",
            "plan-fspmi-2",
            "plan-spn-1",
        ]

        detail = (await client.get("/api/v1/plans/plan-fspmi-1", headers=ADMIN)).json()
        assert detail["history"] == [
            {"status": "in_progress", "changed_on": "2026-02-01", "note": None},
            {"status": "done", "changed_on": "2026-03-20", "note": "Target met at 3 estates"},
        ]
        spn = (await client.get("/api/v1/plans/plan-spn-1", headers=ADMIN)).json()
        assert [step["status"] for step in spn["history"]] == ["postponed", "in_progress"]

        activities = (await client.get("/api/v1/activities", params={"period": "2026-S1"}, headers=ADMIN)).json()
        assert activities["totals"] == {
            "activities": 3,
            "person_days": 2 * 15 + 1 * 7 + 1 * 40,
            "participants": {"female": 33, "male": 28, "unspecified": 1, "total": 62},
            "women_share": round(33 / 62, 4),
            "cadres_trained": 6,
        }
        assert [
            (row["federation"], row["activities"], row["person_days"], row["participants"]["total"]) for row in activities["by_federation"]
        ] == [
            ("FSPMI", 2, 70, 55),
            ("SPN", 1, 7, 7),
        ]
        assert [(row["sector"], row["activities"]) for row in activities["by_sector"]] == [("metal", 2), (None, 1)]
        assert [(row["programme"], row["activities"]) for row in activities["by_programme"]] == [(SASK, 1), (None, 2)]
        assert [(row["kind"], row["activities"]) for row in activities["by_kind"]] == [
            ("training", 1),
            ("workshop", 1),
            ("organising_meeting", 1),
        ]
        only_sask = (await client.get("/api/v1/activities", params={"period": "2026-S1", "programme": SASK}, headers=ADMIN)).json()
        assert only_sask["totals"]["participants"] == {"female": 10, "male": 5, "unspecified": 0, "total": 15}
        year_activities = (await client.get("/api/v1/activities", params={"period": "2026"}, headers=ADMIN)).json()
        assert year_activities["totals"]["activities"] == 4

        viewer = await issue(reporting_settings, Role.VIEWER)
        hidden = (await client.get("/api/v1/activities", params={"period": "2026-S1"}, headers=viewer)).json()
        [spn_row] = [row for row in hidden["by_federation"] if row["federation"] == "SPN"]
        assert spn_row["participants"] == {"female": None, "male": None, "unspecified": None, "total": 7}
        assert spn_row["women_share"] is None and spn_row["person_days"] == 7
        # In the totals only the one participant of unspecified gender is a small cell.
        assert hidden["totals"] == {**activities["totals"], "participants": {"female": 33, "male": 28, "unspecified": None, "total": 62}}

        live_documents = {name: await _documents(getattr(generation, name)) for name in ("plan_items", "activities")}
        live_answers = [without_as_of((await client.get(path, params=params, headers=ADMIN)).json()) for path, params in _READS]
        result = await rebuild(reporting_settings)
        assert result.previous == generation.name
        rebuilt = await current_generation(client.app.state.reporting_database)
        assert rebuilt.name == result.generation
        for name, documents in live_documents.items():
            assert await _documents(getattr(rebuilt, name)) == documents, name
        after = [without_as_of((await client.get(path, params=params, headers=ADMIN)).json()) for path, params in _READS]
        assert after == live_answers


_READS = (
    ("/api/v1/plans", {"period": "2026-S1"}),
    ("/api/v1/plans", {"period": "2026"}),
    ("/api/v1/plans/plan-fspmi-2", {}),
    ("/api/v1/activities", {"period": "2026-S1"}),
    ("/api/v1/activities", {"period": "2026"}),
    (f"/api/v1/programmes/{SASK}/report", {}),
)


async def _documents(collection) -> dict:
    return {row["_id"]: row async for row in collection.find()}


def _with(value: dict, **data) -> dict:
    """`value` with its data fields replaced (None: removed), under a new event_id."""
    changed = {**value["data"], **data}
    data = {key: item for key, item in changed.items() if item is not None}
    return {**value, "event_id": str(uuid.uuid4()), "data": data}


def invalid_events() -> list[tuple[str, dict, str]]:
    """(key, event, what its dead letter's reason says): each breaks one rule or bound of the contract."""
    future = (jakarta_today() + timedelta(days=2)).isoformat()
    added, progressed, held = (
        plan_added("plan-fspmi-x"),
        plan_progressed("plan-fspmi-x", "done", on="2026-03-01"),
        activity_held("act-fspmi-x"),
    )
    return [
        ("metal", _with(progressed, status="finished"), "data.status"),
        ("metal", _with(progressed, changed_on=future), "data.changed_on"),
        ("metal", _with(progressed, note="x" * 1001), "data.note"),
        ("metal", _with(progressed, item_id="p" * 65), "data.item_id"),
        ("metal", _with(added, programme="NOPE-2026"), "is not one of the configured programmes"),
        ("metal", _with(added, planned_count=10**7 + 1), "data.planned_count"),
        ("metal", _with(added, planned_count=-1), "data.planned_count"),
        ("metal", _with(added, title="t" * 201), "data.title"),
        ("metal", _with(added, responsible="r" * 101), "data.responsible"),
        ("metal", _with(added, kind="party"), "data.kind"),
        ("metal", _with(added, period="2026-S3"), "data.period"),
        ("metal", _with(added, sector="fishing"), "data.sector"),
        ("metal", _with(added, due_on=None), "data.due_on"),
        ("FSPMI", _with(held, cadres_trained=16), "cadres_trained cannot exceed the participants"),
        ("FSPMI", _with(held, participants={"female": 0, "male": 0, "unspecified": 0}), "at least 1"),
        ("FSPMI", _with(held, participants={"female": 10**7 + 1, "male": 0, "unspecified": 0}), "data.participants.female"),
        ("FSPMI", _with(held, participants={"female": 1, "male": 1}), "data.participants.unspecified"),
        ("FSPMI", _with(held, days=31), "data.days"),
        ("FSPMI", _with(held, days=0), "data.days"),
        ("FSPMI", _with(held, held_on=future), "data.held_on"),
        ("FSPMI", _with(held, kind="picnic"), "data.kind"),
        ("FSPMI", _with(held, region_code=None), "data.region_code"),
        ("FSPMI", _with(held, programme="NOPE-2026"), "is not one of the configured programmes"),
    ]


async def test_invalid_plan_and_activity_events_are_dead_lettered_with_their_reason_and_the_next_ones_count(
    reporting_settings, infrastructure
):
    topics = reporting_settings.topics
    invalid = invalid_events()
    async with running_service(reporting_settings) as client:
        await publish_keyed(
            reporting_settings,
            [(key, value) for key, value, _ in invalid]
            + [("metal", plan_added("plan-fspmi-ok")), ("FSPMI", activity_held("act-fspmi-ok"))],
        )

        async def both_counted() -> bool:
            plans = (await client.get("/api/v1/plans", params={"period": "2026-S1"}, headers=ADMIN)).json()
            activities = (await client.get("/api/v1/activities", params={"period": "2026-S1"}, headers=ADMIN)).json()
            return [item["item_id"] for item in plans["items"]] == ["plan-fspmi-ok"] and activities["totals"]["activities"] == 1

        await eventually(both_counted, timeout=30, what="the valid plan item and activity after the invalid ones counted")
        records = await read_topic(infrastructure.kafka_bootstrap_servers, topics.deadletter, expected=len(invalid), timeout=30)
    letters = {}
    for record in records:
        letter = json.loads(record.value)
        if letter["consumer"] == "reporting":
            letters[json.loads(base64.b64decode(letter["original_value_base64"]))["event_id"]] = letter["reason"]
    assert len(letters) == len(invalid)
    for _, value, reason in invalid:
        assert reason in letters[value["event_id"]], (reason, letters[value["event_id"]])


async def test_overdue_turns_on_the_day_after_the_due_date_in_jakarta(reporting_settings, infrastructure):
    today = jakarta_today()
    period = f"{today.year}"
    items = {
        "plan-fspmi-yesterday": (today - timedelta(days=1), None, True),
        "plan-fspmi-today": (today, None, False),
        "plan-fspmi-tomorrow": (today + timedelta(days=1), None, False),
        "plan-fspmi-done-late": (today - timedelta(days=1), "done", False),
        "plan-fspmi-dropped-late": (today - timedelta(days=1), "dropped", False),
        "plan-fspmi-postponed-late": (today - timedelta(days=1), "postponed", True),
    }
    events = []
    for item_id, (due_on, status, _) in items.items():
        events.append(("metal", plan_added(item_id, period=period, due_on=due_on.isoformat())))
        if status:
            events.append(("metal", plan_progressed(item_id, status, on=today.isoformat())))
    async with running_service(reporting_settings) as client:
        await publish_keyed(reporting_settings, events)

        async def listed():
            body = (await client.get("/api/v1/plans", params={"period": period}, headers=ADMIN)).json()
            statuses = {item["item_id"]: item for item in body["items"]}
            settled = all(
                statuses.get(item_id, {}).get("status", "planned") == (status or "planned") for item_id, (_, status, _) in items.items()
            )
            return statuses if len(statuses) == len(items) and settled else None

        found = await eventually(listed, what="every item with its status")
    assert {item_id: item["overdue"] for item_id, item in found.items()} == {item_id: overdue for item_id, (_, _, overdue) in items.items()}


async def test_a_federation_reads_its_own_plan_items_and_the_confederations_but_not_another_federations(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        await publish_keyed(
            reporting_settings,
            [
                ("metal", plan_added("plan-fspmi-1")),
                ("metal", plan_added("plan-spn-1", federation="SPN")),
                ("metal", plan_added("plan-kspi-1", federation=None)),
            ],
        )
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 3), what="the three items applied")
        fspmi = await issue(reporting_settings, Role.FEDERATION, "FSPMI")
        spn = await issue(reporting_settings, Role.FEDERATION, "SPN")
        viewer = await issue(reporting_settings, Role.VIEWER)

        denied = await client.get("/api/v1/plans/plan-fspmi-1", headers=spn)
        assert denied.status_code == 403
        assert denied.headers["content-type"].startswith("application/problem+json")
        assert denied.json()["detail"] == "this plan item belongs to another federation"
        assert (await client.get("/api/v1/plans/plan-spn-1", headers=fspmi)).status_code == 403
        assert (await client.get("/api/v1/plans/plan-fspmi-1", headers=fspmi)).json()["item_id"] == "plan-fspmi-1"
        assert (await client.get("/api/v1/plans/plan-kspi-1", headers=spn)).status_code == 200
        assert (await client.get("/api/v1/plans/plan-fspmi-1", headers=viewer)).status_code == 403
        assert (await client.get("/api/v1/plans/plan-fspmi-1")).status_code == 401
        assert (await client.get("/api/v1/plans/plan-unknown", headers=ADMIN)).status_code == 404

        listed = (await client.get("/api/v1/plans", params={"period": "2026-S1"}, headers=spn)).json()
        assert [item["item_id"] for item in listed["items"]] == ["plan-kspi-1", "plan-spn-1"]
        assert sum(row["planned"] for row in listed["summary"]) == 3  # the summary counts every item
        seen_by_viewer = (await client.get("/api/v1/plans", params={"period": "2026-S1"}, headers=viewer)).json()
        assert seen_by_viewer["items"] == [] and seen_by_viewer["summary"] == listed["summary"]
        bad = await client.get("/api/v1/plans", params={"period": "2026-S3"}, headers=ADMIN)
        assert bad.status_code == 422
