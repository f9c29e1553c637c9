"""The reporting service's Kafka subscribers: thin wiring around the projector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.projection import Delivered, PipelinedProjection, subscribe_projection
from reporting.config import ReportingSettings
from reporting.projector import ReportingProjector


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
        dead_letters=broker,
        after_commit=after_commit,
        keep_event_log=settings.event_log,
    )
    return subscribe_projection(
        broker,
        projector,
        topics=[topics.membership, topics.violations, topics.targets],
        group_id=settings.consumer_group,
        max_records=settings.batch_max_records,
    )
