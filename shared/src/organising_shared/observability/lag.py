"""Kafka consumer lag per partition: records in the log that a consumer group has not yet
committed, read from the service's own consumers when Prometheus scrapes.

Lag is the partition's high watermark as the consumer last fetched it (`highwater`, no broker
call) minus the group's committed offset (one OffsetFetch per assigned partition, per scrape).
The projections commit a batch's offsets only once it is applied, so this counts records
fetched but not applied too: what an operator means by "behind". Nothing is added to the path
that handles records.

A partition not fetched yet since the consumer joined has no known high watermark and is left
out until its first fetch; a group with nothing committed on a partition counts from offset 0
(topics are kept forever here, so that is where it starts reading).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from organising_shared.observability.scrape import refreshed_on_scrape

_Lag = dict[tuple[str, str, int], int]  # (group, topic, partition) -> records


class _LagCollector(Collector):
    def __init__(self) -> None:
        self.latest: dict[int, _Lag] = {}  # by watched broker: each refresh replaces its part whole

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "organising_consumer_lag",
            "Records in a partition that the consumer group has not committed yet (applied, for a projection)",
            labels=["group", "topic", "partition"],
        )
        for lag in list(self.latest.values()):
            for (group, topic, partition), records in sorted(lag.items()):
                family.add_metric([group, topic, str(partition)], records)
        yield family


_COLLECTOR = _LagCollector()
REGISTRY.register(_COLLECTOR)


@contextmanager
def watch_consumer_lag(broker: Any) -> Iterator[None]:
    """Export the lag of `broker`'s group subscribers while the `with` block runs (a lifespan)."""
    key = id(broker)

    async def refresh() -> None:
        _COLLECTOR.latest[key] = await consumer_lag(broker)

    try:
        with refreshed_on_scrape(refresh):
            yield
    finally:
        _COLLECTOR.latest.pop(key, None)  # a stopped service's partitions are nobody's lag


async def consumer_lag(broker: Any) -> _Lag:
    """The lag of every partition assigned to `broker`'s subscribers that belong to a group."""
    lag: _Lag = {}
    for subscriber in list(getattr(broker, "subscribers", ())):
        group = getattr(subscriber, "group_id", None)
        consumer = getattr(subscriber, "consumer", None)
        if not group or consumer is None:
            continue
        ends = {tp: end for tp in consumer.assignment() if (end := consumer.highwater(tp)) is not None}
        committed = await asyncio.gather(*(consumer.committed(tp) for tp in ends))
        for (tp, end), offset in zip(ends.items(), committed, strict=True):
            lag[(group, tp.topic, tp.partition)] = max(end - (offset or 0), 0)
    return lag
