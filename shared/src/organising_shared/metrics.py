"""Prometheus metrics every service exports on `/metrics`.

The metrics are module-level, as prometheus-client expects (one registry per process); label
values tell the services' projections apart. A projection's stall time is read when scraped,
from the projections alive in the process (`watch_projection`).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Protocol

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from organising_shared.observability.scrape import refresh_before_scrape

DEAD_LETTERS = Counter(
    "organising_dead_letters",
    "Records sent to the dead-letter topic, by the consumer that refused them, their topic and why: "
    "`invalid` (refused when decoded) or `poison` (valid, but applying them failed for good)",
    ["consumer", "topic", "kind"],
)
PROJECTION_EVENTS = Counter("organising_projection_events", "Events applied by a projection", ["projection"])
PROJECTION_BATCH_SECONDS = Histogram(
    "organising_projection_batch_seconds",
    "Time from a batch's first apply attempt until it was applied, retries included",
    ["projection"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
PROJECTION_RETRIES = Counter(
    "organising_projection_retries", "Transient failures (store or broker away, conflicts) a projection retried", ["projection"]
)
# Small batches under a steady trickle, 20,000 (ORGANISING_BATCH_MAX_RECORDS) catching up.
PROJECTION_BATCH_RECORDS = Histogram(
    "organising_projection_batch_records",
    "Records in each batch a projection received (before skipping those applied before)",
    ["projection"],
    buckets=(1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000, 50000),
)


class Stallable(Protocol):
    name: str
    refusal: str | None

    def stalled_seconds(self) -> float: ...


class _ProjectionCollector(Collector):
    def __init__(self) -> None:
        self._projections: weakref.WeakSet[Stallable] = weakref.WeakSet()

    def add(self, projection: Stallable) -> None:
        self._projections.add(projection)

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "organising_projection_stalled_seconds",
            "How long a projection's oldest batch has waited to be applied (0 while none waits)",
            labels=["projection"],
        )
        refusing = GaugeMetricFamily(
            "organising_projection_refusing",
            "1 while a projection refuses to consume because its topic ends below the offsets it applied (recreated or lost)",
            labels=["projection"],
        )
        # Two projections of one name in a process (tests) are one series: the worse counts.
        worst: dict[str, float] = {}
        refused: dict[str, int] = {}
        for projection in list(self._projections):
            worst[projection.name] = max(worst.get(projection.name, 0.0), projection.stalled_seconds())
            refused[projection.name] = max(refused.get(projection.name, 0), int(projection.refusal is not None))
        for name, seconds in sorted(worst.items()):
            family.add_metric([name], seconds)
            refusing.add_metric([name], refused[name])
        yield family
        yield refusing


_COLLECTOR = _ProjectionCollector()
REGISTRY.register(_COLLECTOR)


def watch_projection(projection: Stallable) -> None:
    """Export `projection`'s stall time while it is alive."""
    _COLLECTOR.add(projection)


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        await refresh_before_scrape()  # what needs a store or broker read (observability.scrape)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
