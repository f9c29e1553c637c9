"""Kafka plumbing: a broker that never silently loses what it publishes, and the topics."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from organising_shared.settings import OrganisingSettings
from organising_shared.topics import KEEP_FOREVER

log = logging.getLogger(__name__)


def make_broker(settings: OrganisingSettings, *, client_id: str, **options: Any) -> KafkaBroker:
    """A FastStream broker whose producer waits for every replica and never writes duplicates.

    FastStream's defaults (acks=1, no idempotence) can lose or double a message on a retry.
    Subscribers must still choose their own ack policy: the default auto-commits before handling.
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        # FastStream's own logger has a handler and format of its own: this one goes through the
        # service's (JSON or text, `organising_shared.logging`) like every other line.
        logger=logging.getLogger("organising.kafka"),
        enable_idempotence=True,
        acks="all",
        **options,
    )


async def ensure_organising_topics(settings: OrganisingSettings) -> None:
    await ensure_topics(
        settings.kafka_bootstrap_servers,
        topics=settings.topics.all(),
        partitions=settings.topic_partitions,
        replication_factor=settings.topic_replication_factor,
    )


async def ensure_topics(bootstrap_servers: str, *, topics: tuple[str, ...], partitions: int, replication_factor: int = 1) -> None:
    """Create the organising topics that are missing, keeping their records forever."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="organising-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=topic, num_partitions=partitions, replication_factor=replication_factor, topic_configs=dict(KEEP_FOREVER))
            for topic in topics
            if topic not in existing
        ]
        if not missing:
            return
        try:
            await admin.create_topics(missing)
        except TopicAlreadyExistsError:
            pass  # another service created them first
        log.info("created topics %s", ", ".join(topic.name for topic in missing))
    finally:
        await admin.close()
