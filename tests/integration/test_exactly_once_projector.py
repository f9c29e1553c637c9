"""The exactly-once projector against a real store: what `digest` made of a batch when it was
prepared is applied only if none of the batch has been applied since; otherwise the part still
to apply is digested again."""

from __future__ import annotations

import json

import pytest

from organising_shared.mongo import make_mongo_client
from organising_shared.projections import ExactlyOnceProjector
from tests.examples import member_recruited
from tests.records import Record

pytestmark = pytest.mark.integration


class _Recorder:
    """A projection whose digest is the batch's event ids, and whose apply remembers what it got."""

    def __init__(self) -> None:
        self.digested: list[list[str]] = []
        self.applied: list[list[str]] = []

    def digest(self, delivered) -> list[str]:
        ids = [str(item.event.event_id) for item in delivered]
        self.digested.append(ids)
        return ids

    async def apply(self, digested: list[str], session) -> None:
        self.applied.append(digested)


class _NoDeadLetters:
    async def publish(self, *args, **kwargs) -> None:
        raise AssertionError("every record here is valid")


@pytest.fixture
async def database(infrastructure, namespace):
    mongo = make_mongo_client(infrastructure.mongodb_url)
    yield mongo[f"{namespace}_projector"]
    await mongo.close()


def _projector(database, settings, recorder: _Recorder) -> ExactlyOnceProjector:
    return ExactlyOnceProjector(
        database=database,
        name="digest-test",
        apply=recorder.apply,
        digest=recorder.digest,
        topics=settings.topics,
        federations=None,
        dead_letters=_NoDeadLetters(),
    )


def _records(settings, count: int) -> tuple[list[Record], list[str]]:
    events = [member_recruited() for _ in range(count)]
    topic = settings.topics.membership
    return [Record(topic, 0, offset, None, json.dumps(event).encode()) for offset, event in enumerate(events)], [
        e["event_id"] for e in events
    ]


async def test_the_digest_made_when_the_batch_was_prepared_is_the_one_applied(database, isolated_settings):
    recorder = _Recorder()
    projector = _projector(database, isolated_settings, recorder)
    records, ids = _records(isolated_settings, 3)

    prepared = await projector.prepare(records)
    assert await projector.apply(prepared) == 3

    assert recorder.digested == [ids]  # digested once, ahead of the transaction
    assert recorder.applied == [ids]


async def test_a_batch_partly_applied_since_it_was_prepared_has_only_the_rest_digested_and_applied(database, isolated_settings):
    # Two instances of one consumer group after a rebalance: both prepared overlapping records,
    # and the other one committed first.
    mine, theirs = _Recorder(), _Recorder()
    records, ids = _records(isolated_settings, 3)
    prepared = await _projector(database, isolated_settings, mine).prepare(records)

    other = _projector(database, isolated_settings, theirs)
    await other.apply(await other.prepare(records[:2]))

    await _projector(database, isolated_settings, mine).apply(prepared)
    assert theirs.applied == [ids[:2]]
    assert mine.applied == [ids[2:]]  # not the stale digest of all three
    assert mine.digested == [ids, ids[2:]]
