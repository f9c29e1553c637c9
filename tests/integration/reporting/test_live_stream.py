"""The live stream (GET /api/v1/live) against a real broker and store, served over a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from organising_shared.auth import Role, TokenStore
from organising_shared.mongo import make_mongo_client
from organising_shared.periods import Period, jakarta_today, periods_containing
from reporting.main import create_app
from tests.e2e.serving import figure_events, serving
from tests.examples import envelope, member_recruited
from tests.integration.helpers import as_json, produce
from tests.integration.reporting.support import ADMIN

pytestmark = pytest.mark.integration

TODAY = jakarta_today()
# The current semester, so that its expected_to_date is neither 0 nor the whole target.
PERIOD: Period = next(period for period in periods_containing(TODAY) if "-S" in period.code)


def target_set(sector: str, members: int, *, federation: str | None = None) -> dict[str, Any]:
    data = {
        "period": PERIOD.code,
        "sector": sector,
        "members_recruited": members,
        "union_units_established": 2,
        "cases_resolved": 3,
        "set_by": "admin",
    }
    if federation:
        data["federation"] = federation
    return envelope("SectorTargetSet", data, federation="KSPI")


def recruited_today(sector: str, **overrides: Any) -> dict[str, Any]:
    return member_recruited(sector=sector, recruited_on=TODAY.isoformat(), **overrides)


async def until(events, predicate: Callable[[dict], bool], *, timeout: float = 15.0) -> dict:
    """Read snapshots until one satisfies `predicate`, or fail after `timeout` seconds."""
    seen: list[dict] = []
    try:
        async with asyncio.timeout(timeout):
            async for snapshot in events:
                seen.append(snapshot)
                if predicate(snapshot):
                    return snapshot
    except TimeoutError:
        pass
    raise AssertionError(f"no snapshot matched within {timeout} s; last: {seen[-1] if seen else None!r}")


def actual(snapshot: dict, sector: str, metric: str = "members_recruited", federation: str | None = None) -> int | None:
    for row in snapshot["targets"]:
        if row["sector"] == sector and row["federation"] == federation:
            return row["metrics"][metric]["actual"]
    return None


async def test_a_published_event_changes_the_streamed_figures(reporting_settings, infrastructure):
    bootstrap, topics = infrastructure.kafka_bootstrap_servers, reporting_settings.topics
    await produce(bootstrap, topics.targets, [(b"metal", as_json(target_set("metal", 10)))])
    async with serving(create_app(reporting_settings)) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with client.stream("GET", "/api/v1/live", params={"period": PERIOD.code}, headers=ADMIN) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = figure_events(response)
            first = await until(events, lambda s: actual(s, "metal") == 0)
            assert first["period"] == PERIOD.code
            assert first["small_cells_suppressed"] is False
            assert first["sector_labels"]["metal"] == {"id": "Logam", "en": "Metal"}

            await produce(bootstrap, topics.membership, [(b"wp-1", as_json(recruited_today("metal")))])
            changed = await until(events, lambda s: actual(s, "metal") == 1)
            figures = next(row for row in changed["targets"] if row["sector"] == "metal")["metrics"]["members_recruited"]
            assert figures["target"] == 10
            assert figures["percent"] == 10.0
            assert figures["expected_to_date"] == PERIOD.expected_to_date(10, TODAY)
            assert [row["federation"] for row in changed["federation_breakdown"]["metal"]] == ["FSPMI"]
            # The pace chart's data, one entry per target row: the cumulative line up to today.
            [pace] = [entry for entry, row in zip(changed["pace"], changed["targets"], strict=True) if row["sector"] == "metal"]
            line = pace["metrics"]["members_recruited"]
            assert len(line["actual"]) == PERIOD.elapsed_days(TODAY) and line["actual"][-1] == 1
            assert len(line["expected"]) == PERIOD.days
            assert line["expected"][PERIOD.elapsed_days(TODAY) - 1] == PERIOD.expected_to_date(10, TODAY)

            # A case applied moves the revision the page reads its panels again on.
            assert changed["revision"]["organising.violations.v1"] == -1
            report = {
                "case_id": "fspmi-live-1",
                "sector": "metal",
                "workplace_id": "wp-1",
                "region_code": "32.16",
                "category": "overtime",
                "workers_affected": 3,
                "reported_on": TODAY.isoformat(),
            }
            await produce(bootstrap, topics.violations, [(b"wp-1", as_json(envelope("ViolationReported", report)))])
            await until(events, lambda s: s["revision"]["organising.violations.v1"] == 0)

            # A new target appears on the stream too, without reconnecting.
            await produce(bootstrap, topics.targets, [(b"cement", as_json(target_set("cement", 4)))])
            await until(events, lambda s: actual(s, "cement") == 0 and actual(s, "metal") == 1)


async def test_an_instance_streams_what_another_instance_consumed(reporting_settings, infrastructure, namespace):
    """Two instances share the store and consumer group; the one that streams may not be the
    one that applied the event (all partitions can be the other's)."""
    bootstrap, topics = infrastructure.kafka_bootstrap_servers, reporting_settings.topics
    await produce(bootstrap, topics.targets, [(b"chemical", as_json(target_set("chemical", 5)))])
    consuming_only = create_app(reporting_settings)
    streaming = create_app(
        reporting_settings.model_copy(update={"consumer_group": f"{namespace}-idle", "topic_prefix": f"{namespace}-idle."})
    )
    async with serving(consuming_only), serving(streaming) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with client.stream("GET", "/api/v1/live", params={"period": PERIOD.code}, headers=ADMIN) as response:
            events = figure_events(response)
            await until(events, lambda s: actual(s, "chemical") == 0)
            await produce(bootstrap, topics.membership, [(b"wp-2", as_json(recruited_today("chemical")))])
            await until(events, lambda s: actual(s, "chemical") == 1)


async def test_stream_needs_a_token_and_a_valid_period_and_hides_small_cells_from_viewers(reporting_settings, infrastructure):
    mongo = make_mongo_client(infrastructure.mongodb_url)
    viewer = await TokenStore(mongo[reporting_settings.auth_database]["tokens"]).issue(
        name="wall-screen", role=Role.VIEWER, federation=None
    )
    await mongo.close()
    bootstrap, topics = infrastructure.kafka_bootstrap_servers, reporting_settings.topics
    await produce(
        bootstrap,
        topics.membership,
        [(b"wp-3", as_json(recruited_today("garment_textile")))],
    )
    await produce(bootstrap, topics.targets, [(b"garment_textile", as_json(target_set("garment_textile", 100)))])
    async with serving(create_app(reporting_settings)) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        assert (await client.get("/api/v1/live", params={"period": PERIOD.code})).status_code == 401
        bad = await client.get("/api/v1/live", params={"period": "2026-S3"}, headers=ADMIN)
        assert bad.status_code == 422 and "semesters S1 and S2" in bad.json()["detail"]
        unknown = await client.get("/api/v1/live", params={"period": PERIOD.code, "federation": "NOPE"}, headers=ADMIN)
        assert unknown.status_code == 422 and unknown.json()["detail"] == "federation: is not one of the configured federations"

        async with client.stream(
            "GET", "/api/v1/live", params={"period": PERIOD.code}, headers={"Authorization": f"Bearer {viewer}"}
        ) as response:
            snapshot = await until(figure_events(response), lambda s: actual(s, "garment_textile") == 1)
    assert snapshot["small_cells_suppressed"] is True
    # Targets are not people: the viewer sees the actual. One recruit in a federation row is a
    # small cell, hidden from the viewer.
    [row] = snapshot["federation_breakdown"]["garment_textile"]
    assert row["federation"] == "FSPMI" and row["members_recruited"] is None
