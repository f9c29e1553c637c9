"""The notifications service's Kafka subscriber: thin wiring around the exactly-once projector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from notifications.config import NotificationsSettings
from notifications.intake import queue_deliveries
from organising_shared.projections import ExactlyOnceProjector, PipelinedProjection, subscribe_projection


def register_consumers(
    broker: Any, database: AsyncDatabase, settings: NotificationsSettings, *, on_queued: Callable[[], None]
) -> PipelinedProjection:
    topics = settings.topics

    async def wake_dispatcher(_delivered: Any) -> None:
        on_queued()

    projector = ExactlyOnceProjector(
        database=database,
        name="notifications",
        apply=lambda delivered, session: queue_deliveries(database, delivered, session),
        topics=topics,
        federations=settings.publishers,
        programmes=settings.programme_codes,
        dead_letters=broker,
        after_commit=wake_dispatcher,
    )
    return subscribe_projection(
        broker, projector, topics=[topics.violations, topics.membership, topics.progress], group_id=settings.consumer_group
    )
