"""A batch that fails for good is not retried: the events it fails on are found by applying its
halves, dead-lettered with a reason, and the rest is applied; a failure that cannot be isolated
stops the projection visibly instead of losing the batch."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import TopicPartition
from bson.errors import InvalidDocument
from pymongo.errors import AutoReconnect, DocumentTooLarge, OperationFailure

from organising_shared.projections import Delivered, PipelinedProjection, PreparedBatch, apply_isolating, highest_offsets
from organising_shared.projections.failures import ApplyAgain, is_transient, poison_reason
from tests.records import Record


def _delivered(*names: str, partition: int = 0) -> list[Delivered]:
    # The "event" is its name here: the fake projector below reads nothing else.
    return [Delivered(name, "events", partition, offset, None, name.encode()) for offset, name in enumerate(names)]


class _Store:
    """Applies lists of names like a transaction: all or nothing; a poison name fails the whole."""

    def __init__(self, poison: set[str], *, transient_failures: int = 0) -> None:
        self.poison = poison
        self.transient_failures = transient_failures
        self.applied: list[str] = []
        self.offsets: dict[tuple[str, int], int] = {}
        self.transactions = 0
        self.dead_letters: list[tuple[str, str]] = []

    async def apply(self, batch: PreparedBatch | None) -> int:
        if batch is None:
            return 0
        self.transactions += 1
        if self.transient_failures:
            self.transient_failures -= 1
            raise AutoReconnect("the store went away")
        fresh = [item for item in batch.delivered if item.offset > self.offsets.get((item.topic, item.partition), -1)]
        if any(item.event in self.poison for item in fresh):
            raise OverflowError("MongoDB can only handle up to 8-byte ints")
        self.applied += [item.event for item in fresh]
        for position, offset in batch.reached.items():
            self.offsets[position] = max(self.offsets.get(position, -1), offset)
        return len(fresh)

    def part(self, batch, delivered, reached) -> PreparedBatch:
        return PreparedBatch(delivered, None, reached)

    async def dead_letter_delivered(self, item: Delivered, reason: str) -> None:
        self.dead_letters.append((item.event, reason))


def _prepared(delivered: list[Delivered], *, reached: dict | None = None) -> PreparedBatch:
    return PreparedBatch(delivered, None, reached or highest_offsets(delivered))


@pytest.mark.parametrize("poison_at", [0, 1, 7, 15])
async def test_one_poison_event_is_dead_lettered_and_every_other_event_applied_in_order(poison_at):
    names = [f"e{position}" for position in range(16)]
    store = _Store({names[poison_at]})
    applied = await apply_isolating(store, _prepared(_delivered(*names)))
    assert applied == 15
    assert store.applied == [name for name in names if name != names[poison_at]]
    assert [name for name, _ in store.dead_letters] == [names[poison_at]]
    assert store.offsets == {("events", 0): 15}  # the offsets reach past the poison event
    assert store.transactions <= 2 * 4 + 2  # about 2·log2(16), not one per event


async def test_several_poison_events_are_each_dead_lettered_once():
    names = [f"e{position}" for position in range(10)]
    store = _Store({"e2", "e3", "e9"})
    await apply_isolating(store, _prepared(_delivered(*names)))
    assert sorted(name for name, _ in store.dead_letters) == ["e2", "e3", "e9"]
    assert store.applied == ["e0", "e1", "e4", "e5", "e6", "e7", "e8"]


async def test_a_batch_whose_tail_was_refused_when_decoded_still_reaches_its_last_offset():
    # Offsets 0-3 decoded; 4 and 5 were invalid (dead-lettered when decoded), so not delivered.
    delivered = _delivered("a", "b", "c", "d")
    store = _Store({"d"})
    await apply_isolating(store, _prepared(delivered, reached={("events", 0): 5}))
    assert store.offsets == {("events", 0): 5}


async def test_a_transient_failure_is_raised_for_the_caller_to_retry_not_isolated():
    store = _Store(set(), transient_failures=1)
    with pytest.raises(AutoReconnect):
        await apply_isolating(store, _prepared(_delivered("a", "b")))
    assert store.dead_letters == []


async def test_the_reason_names_the_kind_of_failure_never_its_message():
    store = _Store({"x"})
    await apply_isolating(store, _prepared(_delivered("x")))
    ((_, reason),) = store.dead_letters
    assert "64-bit" in reason and "8-byte" not in reason


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (AutoReconnect("gone"), True),
        (TimeoutError(), True),
        (ApplyAgain(), True),
        (OperationFailure("conflict", code=112), True),
        (OperationFailure("abort", code=251, details={"errorLabels": ["TransientTransactionError"]}), True),
        (OverflowError("MongoDB can only handle up to 8-byte ints"), False),
        (DocumentTooLarge("too large"), False),
        (InvalidDocument("key must be a string"), False),
        (OperationFailure("bad value", code=2), False),
        (KeyError("sector"), False),
    ],
)
def test_which_failures_are_worth_retrying(error, transient):
    assert is_transient(error) is transient


def test_a_reason_never_quotes_the_driver_message():
    secret = "3201123456780001"
    for error in (OverflowError(secret), OperationFailure(secret, code=2), ValueError(secret), DocumentTooLarge(secret)):
        assert secret not in poison_reason(error)


# The subscriber around it: progress is visible, and what can neither be retried nor isolated stops it.


class _Unisolatable(_Store):
    async def dead_letter_delivered(self, item, reason):
        raise ValueError("the dead-letter producer is broken")

    async def prepare(self, records):
        return _prepared([Delivered(record.value.decode(), record.topic, record.partition, record.offset) for record in records])


async def _commit(offsets: dict[TopicPartition, int]) -> None:
    pass


async def test_a_batch_that_cannot_be_isolated_stops_the_projection_and_no_later_batch_is_taken():
    store = _Unisolatable({"bad"})
    projection = PipelinedProjection(store, name="test-unisolatable")
    await projection.handle([Record("events", 0, 0, None, b"bad")], _commit)
    async with asyncio.timeout(5):
        while projection.failure is None:
            await asyncio.sleep(0.01)
    later = asyncio.create_task(projection.handle([Record("events", 0, 1, None, b"good")], _commit))
    await asyncio.sleep(0.05)
    assert not later.done()  # held: applying "good" would move the offsets past "bad"
    assert store.applied == [] and projection.stalled_seconds() > 0
    await projection.close()
    async with asyncio.timeout(1):
        await later
    assert store.applied == []


async def test_stalled_seconds_grow_while_a_batch_waits_and_fall_to_zero_once_applied():
    store = _Unisolatable(set(), transient_failures=2)
    projection = PipelinedProjection(store, name="test-stall")
    assert projection.stalled_seconds() == 0
    await projection.handle([Record("events", 0, 0, None, b"a")], _commit)
    await asyncio.sleep(0.05)
    assert projection.stalled_seconds() >= 0.05
    await projection.close()  # retries after 0.2 s and 0.4 s, then applies
    assert store.applied == ["a"] and projection.stalled_seconds() == 0
