"""The reporting service's Kafka subscribers: thin wiring around the projector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.projections import (
    Delivered,
    PipelinedProjection,
    subscribe_projection,
)
from organising_shared.topics import Topics
from reporting.config import ReportingSettings
from reporting.projection.projector import ReportingProjector

# A batch holds at most one fetch, and a fetch at most this much per partition. aiokafka's 1 MB
# (about 2,500 records here) leaves backlog batches short of 20,000 records on six partitions;
# 2 MB fills them, a little faster for some 70 MB more at the service's peak (measured by
# `python -m bench projection`; its latest figures are in services/reporting/README.md).
PARTITION_FETCH_BYTES = 2 * 1024 * 1024


def consumed_topics(topics: Topics) -> list[str]:
    """Every topic the reporting projection reads (the live consumer, the rebuild, the benchmarks)."""
    return [topics.membership, topics.violations, topics.targets, topics.plans, topics.activities, topics.workplaces]


def register_consumers(
    broker: Any,
    database: AsyncDatabase,
    settings: ReportingSettings,
    *,
    after_commit: Callable[[Sequence[Delivered]], Awaitable[Any]] | None = None,
) -> PipelinedProjection:
    topics = settings.topics
    projector = ReportingProjector(
        database=database,
        topics=topics,
        federations=settings.publishers,
        programmes=settings.programme_codes,
        dead_letters=broker,
        after_commit=after_commit,
        keep_event_log=settings.event_log,
    )
    return subscribe_projection(
        broker,
        projector,
        topics=consumed_topics(topics),
        group_id=settings.consumer_group,
        max_records=settings.batch_max_records,
        partition_fetch_bytes=PARTITION_FETCH_BYTES,
    )
