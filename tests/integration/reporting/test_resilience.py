"""Exactly once under pressure: a duplicate storm, a SIGKILL mid-batch, two instances in one group.

Each test knows its expected figures by construction (distinct members, units and cases), and
also checks that a rebuild from scratch reaches exactly the same counter documents.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import (
    applied_at_least,
    applied_offsets,
    counters,
    publish_many,
    running_service,
    service_process,
    year_totals,
)

pytestmark = pytest.mark.integration

SECTORS = ("chemical", "garment_textile", "automotive", "metal", "cement")


def thousand_events() -> list[dict]:
    """600 recruitments, 200 departures, 100 units, 50 cases reported and closed (won)."""
    events = []
    for i in range(600):
        events.append(b.recruited(f"m{i}", on=f"2026-0{1 + i % 6}-1{i % 9}", sector=SECTORS[i % 5], workplace=f"wp-{i % 37}"))
    for i in range(200):
        events.append(b.left(f"m{i}", on="2026-06-29", sector=SECTORS[i % 5], workplace=f"wp-{i % 37}"))
    for i in range(100):
        events.append(b.unit_established(f"u{i}", sector=SECTORS[i % 5], workplace=f"wp-{i % 37}"))
    for i in range(50):
        events.append(b.violation_reported(f"c{i}", sector=SECTORS[i % 5], workplace=f"wp-{i % 37}"))
        events.append(b.case_closed(f"c{i}", "won", on="2026-06-01"))
    return events


async def test_a_duplicate_storm_counts_every_event_once(reporting_settings, infrastructure):
    events = thousand_events()
    async with running_service(reporting_settings):
        await publish_many(reporting_settings, events * 3)
        await eventually(lambda: applied_at_least(reporting_settings, 3000), timeout=60, what="3,000 records applied")
        live = await counters(reporting_settings)
    assert year_totals(live) == {"members_recruited": 600, "members_left": 200, "union_units_established": 100, "cases_resolved": 50}
    rebuilt = await rebuild(reporting_settings)
    assert await counters(reporting_settings, rebuilt.generation) == live


async def test_a_consumer_killed_mid_batch_restarts_with_exact_figures(reporting_settings, infrastructure):
    total = 6_000
    events = [
        b.recruited(f"k{i}", sector=SECTORS[i % 5], workplace=f"wp-{i % 101}", on=f"2026-0{1 + i % 6}-0{1 + i % 9}") for i in range(total)
    ]
    with service_process(reporting_settings, ORGANISING_BATCH_MAX_RECORDS="200") as process:
        await publish_many(reporting_settings, events)
        await eventually(lambda: applied_at_least(reporting_settings, 600), timeout=60, what="the service is consuming")
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    applied_when_killed = await applied_offsets(reporting_settings)
    assert applied_when_killed < total, "the service finished before it was killed; nothing was tested"
    with service_process(reporting_settings, ORGANISING_BATCH_MAX_RECORDS="200"):
        await eventually(lambda: applied_at_least(reporting_settings, total), timeout=150, what="every record applied after the restart")
    live = await counters(reporting_settings)
    assert year_totals(live)["members_recruited"] == total
    rebuilt = await rebuild(reporting_settings)
    assert await counters(reporting_settings, rebuilt.generation) == live


async def test_two_instances_in_one_group_share_the_partitions_and_count_exactly(reporting_settings, infrastructure):
    events = thousand_events()
    async with running_service(reporting_settings), running_service(reporting_settings):
        admin = AIOKafkaAdminClient(bootstrap_servers=reporting_settings.kafka_bootstrap_servers)
        await admin.start()

        async def members_of_group():
            [response] = await admin.describe_consumer_groups([reporting_settings.consumer_group])
            [group] = response.groups  # (error, id, state, protocol type, protocol, members)
            members = group[5]  # (member id, client id, host, metadata, assignment)
            return group[2] == "Stable" and len(members) == 2 and all(member[4] for member in members)

        try:
            await eventually(members_of_group, timeout=30, what="both instances hold partitions")
        finally:
            await admin.close()
        await publish_many(reporting_settings, events * 2)
        await eventually(lambda: applied_at_least(reporting_settings, 2000), timeout=60, what="2,000 records applied")
        live = await counters(reporting_settings)
    assert year_totals(live) == {"members_recruited": 600, "members_left": 200, "union_units_established": 100, "cases_resolved": 50}
    rebuilt = await rebuild(reporting_settings)
    assert await counters(reporting_settings, rebuilt.generation) == live


async def test_a_rebuild_while_events_keep_arriving_switches_over_without_losing_or_doubling_any(reporting_settings, infrastructure):
    first = [b.recruited(f"a{i}", sector=SECTORS[i % 5], workplace=f"wp-{i % 23}") for i in range(1500)]
    during = [b.recruited(f"d{i}", sector=SECTORS[i % 5], workplace=f"wp-{i % 23}") for i in range(1500)]
    async with running_service(reporting_settings.model_copy(update={"batch_max_records": 100})):
        await publish_many(reporting_settings, first)
        await eventually(lambda: applied_at_least(reporting_settings, 300), timeout=60, what="the live consumer is busy")
        publishing = asyncio.create_task(publish_many(reporting_settings, during))
        switched = await rebuild(reporting_settings, batch_records=200)
        await publishing
        await eventually(lambda: applied_at_least(reporting_settings, 3000), timeout=90, what="every record applied after the switch")
        live = await counters(reporting_settings)
    assert switched.previous != switched.generation
    assert year_totals(live)["members_recruited"] == 3000
    again = await rebuild(reporting_settings)
    assert await counters(reporting_settings, again.generation) == live
