"""Consumer lag: a partition's high watermark as last fetched minus the group's committed offset,
for every partition a group subscriber holds; exported per group, topic and partition."""

from __future__ import annotations

from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from organising_shared.observability.lag import consumer_lag, watch_consumer_lag
from organising_shared.observability.scrape import refresh_before_scrape


class _Consumer:
    def __init__(self, ends: dict[TopicPartition, int | None], committed: dict[TopicPartition, int | None]) -> None:
        self.ends = ends
        self.committed_offsets = committed

    def assignment(self) -> set[TopicPartition]:
        return set(self.ends)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.ends[tp]

    async def committed(self, tp: TopicPartition) -> int | None:
        return self.committed_offsets.get(tp)


class _Subscriber:
    def __init__(self, group_id: str | None, consumer: _Consumer | None) -> None:
        self.group_id = group_id
        self.consumer = consumer


class _Broker:
    def __init__(self, *subscribers: _Subscriber) -> None:
        self.subscribers = list(subscribers)


A0, A1, B0 = TopicPartition("t.a", 0), TopicPartition("t.a", 1), TopicPartition("t.b", 0)


async def test_lag_is_the_high_watermark_less_the_committed_offset():
    broker = _Broker(
        _Subscriber("reporting", _Consumer({A0: 120, A1: 50, B0: None}, {A0: 100, A1: None})),
        _Subscriber(None, _Consumer({A0: 999}, {})),  # no group: nothing committed to compare with
        _Subscriber("stopped", None),  # not started
    )
    # B0 not fetched yet: unknown, left out. A1 never committed: counted from 0.
    assert await consumer_lag(broker) == {("reporting", "t.a", 0): 20, ("reporting", "t.a", 1): 50}


async def test_the_lag_is_exported_while_watched_and_dropped_after():
    consumer = _Consumer({A0: 10}, {A0: 4})
    broker = _Broker(_Subscriber("lag-test-group", consumer))
    labels = {"group": "lag-test-group", "topic": "t.a", "partition": "0"}
    with watch_consumer_lag(broker):
        await refresh_before_scrape()
        assert REGISTRY.get_sample_value("organising_consumer_lag", labels) == 6
        consumer.committed_offsets[A0] = 10
        await refresh_before_scrape()
        assert REGISTRY.get_sample_value("organising_consumer_lag", labels) == 0
    assert REGISTRY.get_sample_value("organising_consumer_lag", labels) is None
