"""The broker, then the store, stopped and started again while events flow and the intake takes
writes: the services ride it out (they neither exit nor lose anything), every write the intake
accepted is on Kafka once, and the figures equal what was published and a rebuild.

Each test runs its own Kafka and store (the session's are shared by every other test).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from organising_shared.devstack.kafka_node import KafkaNode
from organising_shared.devstack.store_node import StoreNode
from organising_shared.kafka import ensure_organising_topics
from organising_shared.settings import OrganisingSettings
from tests.faults.checks import (
    each_accepted_write_once,
    live_equals_rebuild,
    reporting_caught_up,
    reporting_settings_of,
)
from tests.faults.conftest import launcher
from tests.faults.flow import IntakeFlow, KafkaFlow, expected_totals
from tests.faults.services import ADMIN_TOKEN
from tests.integration.helpers import eventually
from tests.integration.reporting.support import applied_offsets

pytestmark = [pytest.mark.integration, pytest.mark.faults]

RATE = 200
OUTAGE_SECONDS = 10.0  # how long the broker or the store stays away (the fault, not a wait)


@dataclass
class PrivateNodes:
    kafka: KafkaNode
    store: StoreNode
    settings: OrganisingSettings


@pytest.fixture
def private_nodes(tmp_path, namespace) -> Iterator[PrivateNodes]:
    kafka, store = KafkaNode(tmp_path / "kafka"), StoreNode(tmp_path / "store")
    # Launched from this (the main) thread: a node dies with the thread that spawned it.
    kafka.launch()
    store.launch()
    try:
        store.wait_ready()
        kafka.wait_ready()
        settings = OrganisingSettings(
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            mongodb_url=store.url,
            topic_prefix=f"{namespace}.",
            auth_database=f"{namespace}_auth",
            topic_partitions=3,
        )
        asyncio.run(ensure_organising_topics(settings))
        yield PrivateNodes(kafka, store, settings)
    finally:
        kafka.stop()
        store.stop()


@pytest.fixture
def private_service(private_nodes, namespace, tmp_path):
    make, made = launcher(private_nodes.settings, namespace, tmp_path)
    yield make
    for process in made:
        process.stop()


async def run_through_outage(
    nodes: PrivateNodes, namespace: str, private_service, node: KafkaNode | StoreNode, *, repeats_allowed: bool = False
) -> tuple[IntakeFlow, KafkaFlow, tuple[int, int]]:
    """Flows on; `node` stopped (SIGTERM) once reporting is busy, started again after OUTAGE_SECONDS
    on the same port and data; flows on until reporting has applied 1,000 more; then every check.
    Returns the flows and what was accepted and acknowledged during the outage."""
    settings = reporting_settings_of(nodes.settings, namespace)
    recruitment, reporting = private_service("recruitment"), private_service("reporting")
    recruitment.start()
    reporting.start()
    await recruitment.healthy()
    await reporting.healthy()
    flow = KafkaFlow(settings.kafka_bootstrap_servers, settings.topics, "outage", rate=RATE)
    intake = IntakeFlow(recruitment.url, ADMIN_TOKEN, count=1_000_000, rate=4)  # until stopped
    flow.start()
    intake.start()

    async def applied_at_least(count: int) -> bool:
        return await applied_offsets(settings) >= count

    await eventually(lambda: applied_at_least(1000), timeout=90, interval=0.2, what="reporting applying before the outage")
    before = (len(intake.accepted), flow.acknowledged)
    await asyncio.to_thread(node.stop)
    await asyncio.sleep(OUTAGE_SECONDS)
    during = (len(intake.accepted) - before[0], flow.acknowledged - before[1])
    node.launch()  # from this thread, which outlives it
    await asyncio.to_thread(node.wait_ready)
    after_outage = await applied_offsets(settings)
    await eventually(lambda: applied_at_least(after_outage + 1000), timeout=180, interval=0.5, what="reporting applying after the outage")
    intake.stop()
    await flow.finished(timeout=120)
    await intake.finished(timeout=60)
    print(
        f"{time.strftime('%H:%M:%S')} during the outage: {during[0]} writes accepted, {during[1]} events acknowledged; "
        f"intake refused {dict(intake.refused)}, unanswered {intake.unanswered}; flow resent {flow.resent_chunks} chunks",
        flush=True,
    )
    assert recruitment.process.poll() is None and reporting.process.poll() is None, "a service exited during the outage"

    intake_events = await each_accepted_write_once(
        nodes.settings, intake.accepted, unanswered=intake.unanswered, repeats_allowed=repeats_allowed
    )
    await reporting_caught_up(settings, timeout=180)
    totals = await live_equals_rebuild(settings)
    expected = expected_totals(flow.events)
    expected["members_recruited"] += intake_events
    assert totals == expected
    return intake, flow, during


async def test_the_broker_stopped_and_started_under_load_loses_and_doubles_nothing(private_nodes, namespace, private_service):
    _, flow, (accepted_during, acknowledged_during) = await run_through_outage(
        private_nodes, namespace, private_service, private_nodes.kafka
    )
    # Felt: the producer gave up on a chunk and sent it again, or (an outage shorter than its
    # 20 s patience) it got next to no acknowledgement while the broker was away.
    assert flow.resent_chunks > 0 or acknowledged_during < RATE * OUTAGE_SECONDS / 2, "the broker's outage was not felt: nothing was tested"
    assert accepted_during > 0, "the intake took no writes while Kafka was away (the outbox should)"


async def test_the_store_stopped_and_started_under_load_loses_and_doubles_nothing(private_nodes, namespace, private_service):
    # The relay cannot record what Kafka acknowledged while the store is away, so it may send a
    # batch again with the same event ids (its documented edge): repeats are allowed here, not
    # lost or extra events, and the figures must still be exact.
    intake, _, _ = await run_through_outage(private_nodes, namespace, private_service, private_nodes.store, repeats_allowed=True)
    assert sum(intake.refused.values()) + intake.unanswered > 0, "the store's outage was not felt by the intake: nothing was tested"
