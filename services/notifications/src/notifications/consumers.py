"""The notifications service's Kafka subscriber: thin wiring around the exactly-once projector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from notifications.alerts.state import ALERT_EVENT_TYPES, record_alert_state
from notifications.config import NotificationsSettings
from notifications.intake import queue_deliveries
from organising_shared.projections import ExactlyOnceProjector, PipelinedProjection, subscribe_projection


def register_consumers(
    broker: Any,
    database: AsyncDatabase,
    settings: NotificationsSettings,
    *,
    on_queued: Callable[[], None],
    on_state_changed: Callable[[], None] = lambda: None,
) -> PipelinedProjection:
    topics = settings.topics

    async def wake_dispatcher(delivered: Any) -> None:
        on_queued()
        if any(item.event.event_type in ALERT_EVENT_TYPES for item in delivered):
            on_state_changed()  # the time-based alerts look again at what the events changed

    async def apply(delivered: Any, session: Any) -> int:
        # One transaction: the alerts' state and the queued deliveries with the offsets.
        await record_alert_state(database, delivered, session)
        return await queue_deliveries(database, delivered, session)

    projector = ExactlyOnceProjector(
        database=database,
        name="notifications",
        apply=apply,
        topics=topics,
        federations=settings.publishers,
        programmes=settings.programme_codes,
        dead_letters=broker,
        after_commit=wake_dispatcher,
    )
    return subscribe_projection(
        broker,
        projector,
        topics=[topics.violations, topics.membership, topics.progress, topics.plans, topics.workplaces],
        group_id=settings.consumer_group,
    )
