"""Publishing the generated records and reading the dead-letter topic, with plain aiokafka
clients (not the project's code)."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from organising_shared.deadletter import DeadLetter
from tests.fuzz.events.mutations import Record


@dataclass(frozen=True)
class Published:
    record: Record
    topic: str  # with the test's prefix
    partition: int
    offset: int

    @property
    def position(self) -> tuple[str, int, int]:
        return (self.topic, self.partition, self.offset)


async def publish(bootstrap: str, prefix: str, records: list[Record]) -> list[Published]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    try:
        sent = [(record, await producer.send(prefix + record.topic, value=record.value, key=record.key)) for record in records]
        return [Published(record, prefix + record.topic, (meta := await future).partition, meta.offset) for record, future in sent]
    finally:
        await producer.stop()


async def read_dead_letters(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Every record on the dead-letter topic, read up to the end it has now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or await _partitions(consumer, topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        while await _behind(consumer, ends):
            batch = await consumer.getmany(timeout_ms=500)
            letters += [DeadLetter.model_validate_json(message.value) for messages in batch.values() for message in messages]
        return letters
    finally:
        await consumer.stop()


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    return any([await consumer.position(tp) < end for tp, end in ends.items()])


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()
