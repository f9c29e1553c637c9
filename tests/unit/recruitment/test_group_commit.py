"""Group commit's rules for a failing write, on a stand-in store session (the real store's
behaviour is in tests/integration/recruitment/test_group_commit.py)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from prometheus_client import REGISTRY
from pymongo.errors import DuplicateKeyError, OperationFailure, ServerSelectionTimeoutError

from recruitment.errors import Conflict
from recruitment.group_commit import GroupCommit


class _Session:
    def __init__(self, log: list[list[str]]) -> None:
        self._log = log
        self.ran: list[str] = []

    async def with_transaction(self, callback):
        # Like the driver: run the callback; a labelled transient error runs it again.
        while True:
            self.ran = []
            self._log.append(self.ran)
            try:
                return await callback(self)
            except OperationFailure as error:
                if not error.has_error_label("TransientTransactionError"):
                    raise


class _Client:
    def __init__(self) -> None:
        self.transactions: list[list[str]] = []

    @contextlib.asynccontextmanager
    async def start_session(self, **options):
        yield _Session(self.transactions)


def _write(name: str, *, fail=None):
    async def work(session: _Session) -> str:
        session.ran.append(name)
        if fail is not None and (error := fail(session)) is not None:
            raise error
        return name

    return work


async def _run_together(groups: GroupCommit, *works):
    return await asyncio.gather(*(groups.run(work) for work in works), return_exceptions=True)


async def test_writes_waiting_together_share_one_transaction():
    client = _Client()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    results = await _run_together(groups, *(_write(f"w{i}") for i in range(5)))
    assert results == [f"w{i}" for i in range(5)]
    assert client.transactions == [[f"w{i}" for i in range(5)]]


async def test_a_refused_write_gets_its_error_and_the_others_commit_without_it():
    client = _Client()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    refused = Conflict("already closed")
    results = await _run_together(groups, _write("a"), _write("b", fail=lambda s: refused), _write("c"))
    assert results == ["a", refused, "c"]
    assert client.transactions[-1] == ["a", "c"]


async def test_a_lost_race_runs_again_in_the_next_group():
    client = _Client()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    lost = iter([DuplicateKeyError("taken", 11000), None])
    results = await _run_together(groups, _write("a"), _write("b", fail=lambda s: next(lost)))
    assert results == ["a", "b"]
    assert client.transactions == [["a", "b"], ["a"], ["b"]]


async def test_a_later_write_refused_on_an_abandoned_write_state_is_run_again():
    client = _Client()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    # "b" is refused when "a" ran before it in the same transaction (it saw a's write); "a" then
    # fails for good on its second run, so b's refusal rested on state that never commits.
    runs_of_a = iter([None, Conflict("a refused")])
    results = await _run_together(
        groups,
        _write("a", fail=lambda s: next(runs_of_a)),
        _write("b", fail=lambda s: Conflict("saw a") if "a" in s.ran else None),
        _write("c"),
    )
    assert [type(r) for r in results] == [Conflict, str, str]
    assert results[1:] == ["b", "c"]
    assert client.transactions == [["a", "b"], ["a"], ["b", "c"]]


async def test_a_transient_error_retries_the_whole_group():
    client = _Client()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    conflict = OperationFailure("write conflict", 112)
    conflict._add_error_label("TransientTransactionError")
    once = iter([conflict, None])
    before = REGISTRY.get_sample_value("organising_intake_group_conflicts_total") or 0
    results = await _run_together(groups, _write("a"), _write("b", fail=lambda s: next(once)))
    assert results == ["a", "b"]
    assert REGISTRY.get_sample_value("organising_intake_group_conflicts_total") == before + 1
    assert client.transactions == [["a", "b"], ["a", "b"]]


async def test_an_unexpected_error_is_that_write_s_answer_and_the_next_group_still_runs():
    client = _Client()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]

    async def broken(session):
        raise TimeoutError

    with pytest.raises(asyncio.TimeoutError):
        await groups.run(broken)
    assert await groups.run(_write("after")) == "after"


async def test_the_store_away_fails_every_write_of_the_group_and_the_next_group_still_runs():
    class _Away(_Client):
        away = True

        @contextlib.asynccontextmanager
        async def start_session(self, **options):
            if self.away:
                self.away = False
                raise ServerSelectionTimeoutError("no store")
            yield _Session(self.transactions)

    client = _Away()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    results = await _run_together(groups, _write("a"), _write("b"))
    assert all(isinstance(result, ServerSelectionTimeoutError) for result in results)
    assert await groups.run(_write("after")) == "after"


async def test_a_write_sent_to_the_next_group_is_not_failed_by_its_old_group_s_failure():
    class _AwayOnSecond(_Client):
        sessions = 0

        @contextlib.asynccontextmanager
        async def start_session(self, **options):
            self.sessions += 1
            if self.sessions == 2:
                raise ServerSelectionTimeoutError("no store")
            yield _Session(self.transactions)

    client = _AwayOnSecond()
    groups = GroupCommit(client, linger_seconds=0.001)  # type: ignore[arg-type]
    lost = iter([DuplicateKeyError("taken", 11000), None])
    results = await _run_together(groups, _write("a", fail=lambda s: next(lost)), _write("b"))
    assert results[0] == "a"  # its next group committed it, and that is its answer
    assert isinstance(results[1], ServerSelectionTimeoutError)


async def test_more_writes_than_one_group_takes_commit_in_groups_at_once():
    both_running = asyncio.Event()
    running = 0

    def _blocking(name: str):
        async def work(session: _Session) -> str:
            nonlocal running
            session.ran.append(name)
            if name in ("w0", "w2"):  # the first write of each group waits until both groups are at the store
                running += 1
                if running == 2:
                    both_running.set()
                await asyncio.wait_for(both_running.wait(), timeout=2)
            return name

        return work

    client = _Client()
    groups = GroupCommit(client, max_group=2, linger_seconds=0.001, max_in_flight=2)  # type: ignore[arg-type]
    results = await _run_together(groups, *(_blocking(f"w{i}") for i in range(4)))
    assert results == ["w0", "w1", "w2", "w3"], "with one group at a time the first would have waited for the second in vain"
    assert sorted(client.transactions) == [["w0", "w1"], ["w2", "w3"]]


async def test_one_group_at_a_time_when_told_so():
    client = _Client()
    groups = GroupCommit(client, max_group=2, linger_seconds=0.001, max_in_flight=1)  # type: ignore[arg-type]
    order: list[str] = []

    def _noting(name: str):
        async def work(session: _Session) -> str:
            order.append(f"start {name}")
            await asyncio.sleep(0.01)
            order.append(f"end {name}")
            return name

        return work

    assert await _run_together(groups, *(_noting(f"w{i}") for i in range(4))) == ["w0", "w1", "w2", "w3"]
    assert order == [f"{what} w{i}" for i in range(4) for what in ("start", "end")]
