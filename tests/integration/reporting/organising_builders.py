"""Plan and activity events for the reporting tests, and publishing them with the contract's keys."""

from __future__ import annotations

from typing import Any

from reporting.config import ReportingSettings
from tests.integration.helpers import as_json, produce
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
