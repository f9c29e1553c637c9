"""Plan and activity events for the reporting tests, a scenario of them, publishing them with the contract's keys, tokens."""

from __future__ import annotations

from typing import Any

from organising_shared.auth.principal import Role
from organising_shared.auth.tokens import TokenStore
from organising_shared.mongo import make_mongo_client
from reporting.config import ReportingSettings
from tests.integration.helpers import as_json, produce
from tests.integration.reporting import builders as b
from tests.integration.reporting.builders import event


def plan_added(
    item_id: str,
    *,
    period: str = "2026-S1",
    sector: str = "metal",
    federation: str | None = "FSPMI",
    due_on: str = "2026-05-31",
    kind: str = "recruitment_drive",
    planned_count: int | None = 100,
    programme: str | None = None,
    **kw,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item_id": item_id,
        "period": period,
        "sector": sector,
        "kind": kind,
        "title": "Recruitment drive at the Bekasi estates",
        "responsible": "DPW Jawa Barat",
        "due_on": due_on,
    }
    if federation is not None:
        data["federation"] = federation
    if planned_count is not None:
        data["planned_count"] = planned_count
    if programme is not None:
        data["programme"] = programme
    return event("ActionPlanItemAdded", data, federation=federation or "KSPI", **kw)


def plan_progressed(item_id: str, status: str, *, on: str, note: str | None = None, federation: str = "FSPMI", **kw) -> dict[str, Any]:
    data: dict[str, Any] = {"item_id": item_id, "status": status, "changed_on": on}
    if note is not None:
        data["note"] = note
    return event("ActionPlanItemProgressed", data, federation=federation, **kw)


def activity_held(
    activity_id: str,
    *,
    on: str = "2026-03-10",
    kind: str = "training",
    days: int = 2,
    sector: str | None = "metal",
    federation: str = "FSPMI",
    female: int = 10,
    male: int = 5,
    unspecified: int = 0,
    cadres: int | None = None,
    programme: str | None = None,
    **kw,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "activity_id": activity_id,
        "kind": kind,
        "title": "Basic organiser training",
        "held_on": on,
        "days": days,
        "region_code": "32.16",
        "participants": {"female": female, "male": male, "unspecified": unspecified},
    }
    if sector is not None:
        data["sector"] = sector
    if cadres is not None:
        data["cadres_trained"] = cadres
    if programme is not None:
        data["programme"] = programme
    return event("ActivityHeld", data, federation=federation, **kw)


async def publish_keyed(settings: ReportingSettings, events: list[tuple[str, dict[str, Any]]]) -> None:
    """(key, event) pairs, each to its event type's topic (a plan's sector, an activity's federation), in order per topic."""
    by_topic: dict[str, list[tuple[bytes | None, bytes]]] = {}
    for key, value in events:
        by_topic.setdefault(settings.topics.for_event_type(value["event_type"]), []).append((key.encode(), as_json(value)))
    for topic, messages in by_topic.items():
        await produce(settings.kafka_bootstrap_servers, topic, messages)


SASK = "SASK-APHEDA-2026"


def plan_scenario() -> tuple[list[tuple[str, dict]], list[tuple[str, dict]], list[tuple[str, dict]]]:
    """(progress sent before its item, everything else, the item sent once that progress is stored)."""
    p1_done = plan_progressed("plan-fspmi-1", "done", on="2026-03-20", note="Target met at 3 estates")
    p1_added = plan_added("plan-fspmi-1", due_on="2026-03-31")
    p6_first = plan_added("plan-fspmi-3", sector="cement", due_on="2026-02-28", kind="training", planned_count=5)
    a1 = activity_held("act-fspmi-1", cadres=6, programme=SASK)
    early = [("metal", plan_progressed("plan-fspmi-2", "in_progress", on="2026-04-01"))]
    rest = [
        ("metal", p1_added),
        ("metal", p1_added),  # the same event again
        ("metal", p1_done),
        ("metal", p1_done),
        ("metal", p1_done),
        ("metal", plan_progressed("plan-fspmi-1", "in_progress", on="2026-02-01")),  # older, arrives later: done stays
        ("metal", plan_added("plan-spn-1", federation="SPN", due_on="2026-06-15")),
        ("metal", plan_progressed("plan-spn-1", "postponed", on="2026-05-01", federation="SPN")),
        ("metal", plan_progressed("plan-spn-1", "in_progress", on="2026-05-01", federation="SPN")),  # same day: the later arrival wins
        ("metal", plan_added("plan-kspi-1", period="2026", federation=None, due_on="2026-05-15")),  # a 2026 item due in S1
        ("metal", plan_added("plan-kspi-2", period="2026", federation=None, due_on="2026-12-31")),  # a 2026 item due in S2
        ("cement", p6_first),
        ("cement", plan_added("plan-fspmi-3", sector="cement", due_on="2026-06-30")),  # another report of it: the first stays
        ("cement", plan_progressed("plan-fspmi-3", "dropped", on="2026-03-01")),
        ("FSPMI", a1),
        ("FSPMI", a1),  # the same event again
        ("FSPMI", activity_held("act-fspmi-1", female=99, cadres=6)),  # another report of it: the first stays
        (
            "SPN",
            activity_held(
                "act-spn-1", on="2026-04-02", kind="workshop", days=1, sector=None, federation="SPN", female=3, male=3, unspecified=1
            ),
        ),
        ("FSPMI", activity_held("act-fspmi-2", on="2026-05-05", kind="organising_meeting", days=1, female=20, male=20)),
        ("FSPMI", activity_held("act-fspmi-3", on="2025-12-01")),  # another year
        ("FSPMI", activity_held("act-fspmi-4", on="2026-08-01", days=3, sector="cement", female=6, male=0, cadres=6)),  # 2026-S2
        ("wp-1", b.recruited("m1", on="2026-03-14")),
        ("wp-1", b.recruited("m2", on="2026-03-15")),
        ("wp-1", b.recruited("m3", on="2026-03-16", gender="male", status="outsourced")),
        ("wp-1", b.unit_established("u1", on="2026-03-01")),
        ("wp-1", b.violation_reported("c1", on="2026-02-01")),
        ("wp-1", b.case_closed("c1", "won", on="2026-05-30", recovered=1_000_000)),
    ]
    later = [("metal", plan_added("plan-fspmi-2", due_on="2026-04-30"))]
    return early, rest, later


async def issue(settings: ReportingSettings, role: Role, federation: str | None = None) -> dict[str, str]:
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        store = TokenStore(mongo[settings.auth_database]["tokens"])
        token = await store.issue(name=f"{role.value}-{federation or 'all'}-plans-test", role=role, federation=federation)
    finally:
        await mongo.close()
    return {"Authorization": f"Bearer {token}"}
