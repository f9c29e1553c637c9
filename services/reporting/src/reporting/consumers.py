"""The reporting service's Kafka subscribers: thin wiring around the projector."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.projection import ExactlyOnceProjector, subscribe_projection
from reporting.config import ReportingSettings
from reporting.event_log import record_events


def register_consumers(broker: Any, database: AsyncDatabase, settings: ReportingSettings) -> ExactlyOnceProjector:
    topics = settings.topics
    projector = ExactlyOnceProjector(
        database=database,
        name="reporting",
        apply=lambda delivered, session: record_events(database, delivered, session),
        topics=topics,
        federations=settings.publishers,
        dead_letters=broker,
    )
    subscribe_projection(broker, projector, topics=[topics.membership], group_id=settings.consumer_group)
    return projector
