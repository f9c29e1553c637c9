"""Milestones and falling behind are announced once, on the real progress topic."""

from __future__ import annotations

import json
from datetime import date

import pytest

from reporting.config import ReportingSettings
from tests.integration.helpers import eventually, read_topic
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, publish, running_service

pytestmark = pytest.mark.integration


async def progress_events(settings: ReportingSettings, at_least: int) -> dict[str, dict]:
    """Distinct progress events by event_id (a repeat carries the same event_id: consumers drop it)."""
    records = await read_topic(settings.kafka_bootstrap_servers, settings.topics.progress, expected=at_least)
    return {event["event_id"]: event for event in (json.loads(record.value) for record in records)}


async def _at_least(value, expected):
    return await value >= expected


async def test_each_milestone_is_announced_once(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        watcher = client.app.state.progress
        await client.put(
            "/api/v1/targets/2026-S1/metal", json={"members_recruited": 4, "union_units_established": 0, "cases_resolved": 0}, headers=ADMIN
        )
        await publish(reporting_settings, [b.recruited(f"p{i}", on=f"2026-03-0{i + 1}") for i in range(2)])
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 3), what="target and 2 recruitments projected")
        await watcher.check()
        await publish(reporting_settings, [b.recruited(f"q{i}", on=f"2026-04-0{i + 1}") for i in range(3)])
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 6), what="3 more projected")
        await watcher.check()
        assert await watcher.check() == 0, "a second check with nothing new announces nothing"
    events = await progress_events(reporting_settings, at_least=4)
    milestones = sorted(
        (e["data"]["metric"], e["data"]["milestone"]) for e in events.values() if e["event_type"] == "TargetMilestoneReached"
    )
    assert milestones == [("members_recruited", m) for m in (25, 50, 75, 100)]
    hundred = next(e for e in events.values() if e["data"].get("milestone") == 100)
    assert hundred["data"]["actual"] >= 4 and hundred["data"]["target"] == 4 and hundred["data"]["sector"] == "metal"


async def test_falling_behind_is_announced_once_per_drop_also_as_time_passes(reporting_settings, infrastructure):
    # Only the test's checks announce, each with its own "today" (the background one uses the real date).
    async with running_service(reporting_settings.model_copy(update={"progress_events": False})) as client:
        watcher = client.app.state.progress
        # 2026-Q4 runs 1 Oct – 31 Dec (92 days): 90 members expected in full.
        await client.put(
            "/api/v1/targets/2026-Q4/cement",
            json={"members_recruited": 90, "union_units_established": 0, "cases_resolved": 0},
            headers=ADMIN,
        )
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 1), what="target projected")
        assert await watcher.check(today=date(2026, 10, 1)) == 0  # expected 0 on the first day: on track
        assert await watcher.check(today=date(2026, 10, 20)) == 1  # 90 × 20 ÷ 92 = 19 expected, 0 actual: behind
        assert await watcher.check(today=date(2026, 10, 25)) == 0  # still behind: not announced again
        await publish(reporting_settings, [b.recruited(f"c{i}", sector="cement", on="2026-10-05") for i in range(25)])
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 26), what="25 recruitments projected")
        assert await watcher.check(today=date(2026, 10, 25)) >= 1  # back on track (24 expected): milestones only
        assert await watcher.check(today=date(2026, 11, 5)) == 1  # 35 expected, 25 actual: a second drop
    events = await progress_events(reporting_settings, at_least=3)
    behind = [e for e in events.values() if e["event_type"] == "SectorFallingBehind"]
    assert len(behind) == 2
    assert sorted((e["data"]["actual"], e["data"]["expected_to_date"]) for e in behind) == [(0, 19), (25, 35)]
    assert all(e["data"]["metric"] == "members_recruited" and e["data"]["period"] == "2026-Q4" for e in behind)
