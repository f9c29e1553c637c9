"""What a refused request must leave as it was: stored documents, and the end of a topic.

Each probe takes a snapshot before a request and after it; `FuzzTarget` compares them whenever
the answer was a refusal (4xx), so a refused request that wrote or published anything is named
with the exact request that did it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import MongoClient

from tests.fuzz.background import BackgroundLoop


class Probe(Protocol):
    name: str

    def snapshot(self) -> Any: ...


class StoredDocuments:
    """How many documents some collections hold: an insert or a delete changes it.

    Counts, not a digest of every document: digesting twice per write request took a minute of
    a two-minute budget on the local store. An update in place by a refused request would go
    unseen; what matters most here cannot: a refused write adds no outbox row (so publishes no
    event), no member, no subscription.
    """

    def __init__(self, mongo: MongoClient, database: str, collections: Iterable[str]) -> None:
        self.name = f"documents of {database} ({', '.join(collections)})"
        self._database = mongo[database]
        self._collections = tuple(collections)

    def snapshot(self) -> dict[str, int]:
        return {name: self._database[name].count_documents({}) for name in self._collections}


class TopicEnds:
    """The end offset of every partition of some topics: any record published moves one."""

    def __init__(self, loop: BackgroundLoop, bootstrap_servers: str, topics: Iterable[str]) -> None:
        self.name = f"records on {', '.join(topics)}"
        self._loop = loop
        self._topics = tuple(topics)
        self._partitions: list[TopicPartition] = []
        self._consumer = loop.run(self._start(bootstrap_servers))

    async def _start(self, bootstrap_servers: str) -> AIOKafkaConsumer:
        # Built in the loop that will use it (aiokafka binds to the running loop).
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
        await self._consumer.start()
        for topic in self._topics:
            partitions = self._consumer.partitions_for_topic(topic) or await self._partitions_of(topic)
            self._partitions.extend(TopicPartition(topic, p) for p in sorted(partitions))
        return self._consumer

    async def _partitions_of(self, topic: str) -> set[int]:
        await self._consumer._client.force_metadata_update()
        partitions = self._consumer.partitions_for_topic(topic)
        if not partitions:
            raise RuntimeError(f"topic {topic} does not exist")
        return partitions

    def snapshot(self) -> dict[str, int]:
        ends = self._loop.run(self._consumer.end_offsets(self._partitions))
        return {f"{tp.topic}[{tp.partition}]": offset for tp, offset in ends.items()}

    def close(self) -> None:
        self._loop.run(self._consumer.stop())
