"""Two reporting processes in one consumer group while events flow: a second instance joins (the
partitions are shared out again), the first leaves (SIGTERM: they move to the second), the first
comes back. Each move happens mid-stream; the figures equal what was published and a rebuild."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from tests.faults.checks import (
    live_equals_rebuild,
    reporting_caught_up,
    reporting_settings_of,
)
from tests.faults.flow import KafkaFlow, expected_totals
from tests.integration.helpers import eventually
from tests.integration.reporting.support import applied_offsets

pytestmark = [pytest.mark.integration, pytest.mark.faults]


async def members_holding_partitions(bootstrap_servers: str, group: str) -> int:
    """How many members of `group` hold partitions, once the group is stable (0 while it rebalances)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        [described] = response.groups  # (error, id, state, protocol type, protocol, members)
        members = described[5]  # (member id, client id, host, metadata, assignment)
        return sum(1 for member in members if member[4]) if described[2] == "Stable" else 0
    finally:
        await admin.close()


async def test_instances_joining_and_leaving_while_events_flow_count_every_event_once(isolated_settings, namespace, service):
    settings = reporting_settings_of(isolated_settings, namespace)
    group = settings.consumer_group
    first, second = service("reporting"), service("reporting")
    first.start()
    await first.healthy()
    flow = KafkaFlow(settings.kafka_bootstrap_servers, settings.topics, "rebalance", rate=200)
    flow.start()

    async def applied_more(than: int) -> bool:
        return await applied_offsets(settings) >= than + 500

    async def group_of(size: int) -> bool:
        return await members_holding_partitions(settings.kafka_bootstrap_servers, group) == size

    await eventually(lambda: applied_more(0), timeout=90, interval=0.2, what="the first instance applying")
    second.start()  # joins: a rebalance while events flow
    await second.healthy()
    await eventually(lambda: group_of(2), timeout=90, interval=0.5, what="both instances holding partitions")
    mark = await applied_offsets(settings)
    await eventually(lambda: applied_more(mark), timeout=90, interval=0.2, what="the pair applying")

    first.stop()  # leaves: its partitions move to the second mid-stream
    await eventually(lambda: group_of(1), timeout=90, interval=0.5, what="the second instance holding every partition")
    mark = await applied_offsets(settings)
    await eventually(lambda: applied_more(mark), timeout=90, interval=0.2, what="the second applying alone")

    first.start()  # and back: a third rebalance
    await first.healthy()
    await eventually(lambda: group_of(2), timeout=90, interval=0.5, what="both instances holding partitions again")
    mark = await applied_offsets(settings)
    await eventually(lambda: applied_more(mark), timeout=90, interval=0.2, what="the pair applying again")
    assert not flow.done, "the flow ended before the last rebalance"
    await flow.finished(timeout=60)

    await reporting_caught_up(settings, timeout=120)
    assert await live_equals_rebuild(settings) == expected_totals(flow.events)
