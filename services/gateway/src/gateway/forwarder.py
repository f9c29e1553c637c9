"""The forwarding loop: ingress topics → the contract's topics, or the dead-letter topic.

At least once: a batch's forwards and dead letters are all acknowledged by the broker (acks=all,
idempotent producer) before its ingress offsets are committed, so a crash in between forwards
some events again. That is harmless: every consumer of the contract's topics drops an `event_id`
it has applied (reporting keeps each member's, unit's and case's events by `event_id`;
notifications queue one delivery per subscription and `event_id`). Kafka transactions would not
spare that: the consumers read uncommitted records, and would see an aborted copy too.

Each forwarded record is the ingress record's key and value, byte for byte. Its headers are the
gateway's own (`event_id`, `event_type` like the outbox relay's, and where it came from): a
federation's headers are not passed on, so none can pose as the platform's.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from gateway.admission import Refused, admit
from gateway.config import GatewaySettings
from gateway.metrics import FORWARDED, LAG
from organising_shared.deadletter import MAX_KEPT_KEY_BYTES, DeadLetter
from organising_shared.kafka import ensure_organising_topics, ensure_topics
from organising_shared.metrics import DEAD_LETTERS

log = logging.getLogger(__name__)
CONSUMER = "gateway"
_POLL_MS = 500


class Forwarder:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.ingress = settings.ingress_topics()
        self.forwarded = 0
        self.dead_lettered = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Forward until `stop` is set; after a broker failure, start again from the committed offsets."""
        topics_ensured = False
        while not stop.is_set():
            try:
                if not topics_ensured:
                    await self.ensure_topics()  # Kafka may still be starting: retried like a batch
                    topics_ensured = True
                await self._run_once(stop)
            except (KafkaError, OSError) as error:
                # Nothing of the failed batch was committed: it is read and sent again.
                log.warning(
                    "gateway batch failed (%s); starting again in %.0f s", type(error).__name__, self.settings.gateway_retry_seconds
                )
                try:
                    async with asyncio.timeout(self.settings.gateway_retry_seconds):
                        await stop.wait()
                except TimeoutError:
                    pass

    async def ensure_topics(self) -> None:
        settings = self.settings
        await ensure_organising_topics(settings)
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            topics=tuple(self.ingress),
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )

    async def _run_once(self, stop: asyncio.Event) -> None:
        settings = self.settings
        consumer = AIOKafkaConsumer(
            *self.ingress,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=settings.gateway_group_id,
            client_id=CONSUMER,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers, client_id=CONSUMER, enable_idempotence=True, acks="all"
        )
        await producer.start()
        try:
            await consumer.start()
            try:
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=_POLL_MS, max_records=settings.gateway_batch_max_records)
                    if batch:
                        await self._forward(producer, batch)
                        await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
                    await self._measure_lag(consumer)
            finally:
                await consumer.stop()
        finally:
            await producer.stop()

    async def _forward(self, producer: AIOKafkaProducer, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Send every record of the batch on, and wait until the broker has acknowledged them all."""
        sent = []
        for tp, records in batch.items():
            federation = self.ingress[tp.topic]
            for record in records:
                decision = admit(
                    record.value, federation=federation, publishers=self.settings.publishers, programmes=self.settings.programme_codes
                )
                if isinstance(decision, Refused):
                    sent.append(await self._dead_letter(producer, record, decision))
                    continue
                topic = self.settings.topics.for_event_type(decision.event_type)
                headers = [
                    ("event_id", str(decision.event_id).encode()),
                    ("event_type", decision.event_type.encode()),
                    ("ingress-topic", record.topic.encode()),
                    ("ingress-offset", f"{record.partition}:{record.offset}".encode()),
                ]
                sent.append(await producer.send(topic, value=record.value, key=record.key, headers=headers))
                FORWARDED.labels(federation=federation, topic=self.settings.topics.contract_name(topic)).inc()
                self.forwarded += 1
        await asyncio.gather(*sent)

    async def _dead_letter(self, producer: AIOKafkaProducer, record: ConsumerRecord, refusal: Refused) -> asyncio.Future:
        letter = DeadLetter.of(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            consumer=CONSUMER,
            reason=refusal.reason,
        )
        # The gateway's own reasons name federation codes and fields only. A decoder's reason is
        # meant never to quote a value either, but it reads whatever a federation typed (a NIK
        # can land in any field): the log gets only its kind, and the reason stays in the dead
        # letter, for the operator.
        shown = refusal.reason if refusal.kind == "refused" else "not a valid v1 event (reason in the dead letter)"
        log.info("dead-lettered %s %d:%d: %s", record.topic, record.partition, record.offset, shown)
        # Labelled with the contract's name of the topic, like the projections' dead letters.
        DEAD_LETTERS.labels(consumer=CONSUMER, topic=self.settings.topics.contract_name(record.topic), kind=refusal.kind).inc()
        self.dead_lettered += 1
        return await producer.send(
            self.settings.topics.deadletter,
            value=letter.model_dump_json().encode(),
            key=record.key[:MAX_KEPT_KEY_BYTES] if record.key is not None else None,
            headers=[("reason", letter.reason[:1000].encode()), ("source-topic", record.topic.encode()), ("consumer", CONSUMER.encode())],
        )

    async def _measure_lag(self, consumer: AIOKafkaConsumer) -> None:
        lag = dict.fromkeys(self.ingress.values(), 0)
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                lag[self.ingress[tp.topic]] += max(0, highwater - await consumer.position(tp))
        for federation, records in lag.items():
            LAG.labels(federation).set(records)
