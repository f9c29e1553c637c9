"""Group commit: the writes that arrive while a transaction commits share the next transaction.

A store transaction costs a few round trips however much it writes, so one transaction per
write was the limit (43.6 registrations/s with 16 clients, each write also bumping the outbox's
one counter). Here a committer task takes every write waiting (up to `max_group`), runs them
one after another in one transaction and inserts what they wrote in one bulk write at its end.
Under load a transaction carries many writes; alone, a write waits `linger_seconds` at most.

Up to `max_in_flight` groups commit at once: when more writes wait than one group takes, or
requests arrive while a group's transaction is at the store, the next group goes too rather
than waiting for the first to finish. Groups do not conflict on the outbox: writers leave their
rows unnumbered (one row per federation and group) and the relay numbers them (`outbox`); with
a shared counter bumped in every transaction, two replicas' groups conflicted hundreds of times
a minute. Two groups that do touch one document (the same NIK, the same idempotency key, the
same case) conflict, and the store refuses one; the driver runs that group again.

A closed loop of clients (16 connections each waiting for its answer) still falls into step:
their requests arrive together, form one group, and come back together. `bench/bench_intake.py`
measures that case; what limits it is in the README ("Speed").

Each write still gets its own answer, idempotency record and event. A write that fails does not
fail the others: the transaction is abandoned (the store has aborted it anyway) and run again
without that write, which gets its error:

- a domain refusal (404, 409, 422 …) is its answer. A write that comes later in the group may
  have decided on the refused write's uncommitted state, so any later write refused so far is
  run again too;
- a lost race on a unique key (`DuplicateKeyError`: a NIK claimed, an idempotency record
  written, by another replica or an earlier write of the same group) goes to the next group,
  where it sees the winner's state and answers from it, as `store.in_transaction` did;
- a transient error (a write conflict with another group) retries the whole group: the driver's
  `with_transaction` does that.

Within a group, a write's inserts wait for the group's end (`insert`): they go in one
client-level bulk write, instead of a store round trip per write, collection and document. A
duplicate key found then is charged to the write whose document it was, as above (its
`on_duplicate` says so to the write first: a registration then looks its NIK up on its next run).

Within a group, writes run in the order they arrived. Writes in two groups at once are
independent of each other (neither saw the other's state), and their events may reach Kafka in
either order; a write that depends on another runs after it committed (see `outbox`, "Order").
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol, TypeVar, cast

from prometheus_client import Counter, Gauge, Histogram
from pymongo import AsyncMongoClient, InsertOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, ClientBulkWriteException, DuplicateKeyError, OperationFailure, PyMongoError

from organising_shared.observability.tracing import current_traceparent

log = logging.getLogger(__name__)

Work = Callable[[AsyncClientSession], Awaitable[Any]]

GROUP_SIZE = Histogram(
    "organising_intake_group_writes",
    "Writes committed together in one intake transaction (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
WAITING = Gauge("organising_intake_writes_waiting", "Intake writes waiting for the next group transaction")
REDONE = Counter(
    "organising_intake_writes_redone_total",
    "Intake writes run again after their group was abandoned",
    ["why"],  # duplicate_key: lost a race on a unique key; refused: another write of its group was refused
)

CONFLICTS = Counter(
    "organising_intake_group_conflicts_total",
    "Group transactions run again after a transient error (a write conflict with another replica's group)",
)

# A write loses a race on a unique key at most this often before its error is its answer: one
# more than the races a write can lose (a NIK claim, an idempotency record), as in store.py.
_DUPLICATE_RUNS = 4


@dataclass(eq=False)
class _Pending:
    work: Work
    done: asyncio.Future
    traceparent: str | None
    duplicate_runs: int = 0
    result: Any = None


class _WriteFailed(Exception):
    """One write of the group failed: abandons the transaction so that it runs without it."""

    def __init__(self, pending: _Pending, error: BaseException) -> None:
        super().__init__(type(error).__name__)
        self.pending = pending
        self.error = error


@dataclass
class _Inserts:
    """The inserts a group's writes left for its end, per collection, each with the write it came from."""

    session: AsyncClientSession
    current: _Pending | None = None
    waiting: dict[str, tuple[AsyncCollection, list[tuple[dict[str, Any], _Pending | None, Callable[[], None] | None]]]] = field(
        default_factory=dict
    )
    kept: dict[str, _GroupState] = field(default_factory=dict)  # other modules' state for this group (`group_state`)

    async def finish(self) -> None:
        """What the group's writes left for its end (the kept states' own writes first), in one bulk write."""
        self.current = None  # what the states write is no one write's
        for state in self.kept.values():
            await state.finish()
        await self.flush()

    def add(self, collection: AsyncCollection, documents: list[dict[str, Any]], on_duplicate: Callable[[], None] | None = None) -> None:
        _, entries = self.waiting.setdefault(collection.full_name, (collection, []))
        entries.extend((document, self.current, on_duplicate) for document in documents)

    async def flush(self) -> None:
        """Every insert waiting, in one client-level bulk write (one store round trip for the group)."""
        if not self.waiting:
            return
        collections = list(self.waiting.values())
        entries = [entry for _, group in collections for entry in group]
        try:
            if len(collections) == 1 or len(entries) > _BULK_WRITE_MOST:
                # One insert_many per collection for a CSV chunk's thousands of documents: through
                # SecantusDB's bulkWrite, a 100,000-row import reached 13 % of the store's floor
                # (bench import), against 35-65 % this way.
                offset = 0
                for collection, group in collections:
                    try:
                        await collection.insert_many([document for document, _, _ in group], ordered=True, session=self.session)
                    except BulkWriteError as error:
                        if _transient(error):
                            raise
                        written = error.details.get("writeErrors") or []
                        failure = {**written[0], "index": written[0]["index"] + offset} if written else None
                        self._charge(entries, failure, error, index_key="index")
                    offset += len(group)
            else:
                client = collections[0][0].database.client
                models = [
                    InsertOne(document, namespace=collection.full_name) for collection, group in collections for document, _, _ in group
                ]
                await client.bulk_write(models, session=self.session, ordered=True)
        except ClientBulkWriteException as error:
            # The client-level exception carries the statement's own error (and its labels) apart.
            if isinstance(error.error, PyMongoError):
                raise error.error from error
            failures: list[Any] = list(error.write_errors or [])  # dicts, whatever the stubs say
            if any(failure.get("code") == _WRITE_CONFLICT for failure in failures):
                conflict = OperationFailure("write conflict", _WRITE_CONFLICT)
                conflict._add_error_label("TransientTransactionError")
                raise conflict from error
            self._charge(entries, failures[0] if failures else None, error, index_key="idx")
        self.waiting.clear()

    def _charge(self, entries: list, failure: Any, error: Exception, *, index_key: str) -> NoReturn:
        """A duplicate key fails the write whose document it was; anything else, the group."""
        if failure is None or failure.get("code") != _DUPLICATE_KEY:
            raise error
        _, owner, on_duplicate = entries[failure[index_key]]
        if owner is None:
            raise error
        if on_duplicate is not None:
            on_duplicate()
        raise _WriteFailed(owner, DuplicateKeyError("duplicate key", _DUPLICATE_KEY)) from error


class _GroupState(Protocol):
    async def finish(self) -> None: ...


S = TypeVar("S", bound=_GroupState)


def group_state(session: AsyncClientSession | None, name: str, create: Callable[[], S]) -> S | None:
    """State kept for the group whose transaction `session` is (None outside a group), created on
    first use; its `finish()` runs when the group's writes have all run, before their inserts go
    out. The outbox keeps a group's rows this way, to store them as one row per federation."""
    inserts = _inserts.get()
    if inserts is None or session is None or inserts.session is not session:
        return None
    if name not in inserts.kept:
        inserts.kept[name] = create()
    return cast(S, inserts.kept[name])


_DUPLICATE_KEY = 11000
_WRITE_CONFLICT = 112
_BULK_WRITE_MOST = 500  # documents; more go as one insert_many per collection
_inserts: ContextVar[_Inserts | None] = ContextVar("group_inserts", default=None)
# The request whose write runs now: the committer runs outside the requests' tasks (`outbox` reads it).
writing_traceparent: ContextVar[str | None] = ContextVar("group_writing_traceparent", default=None)


async def insert(
    collection: AsyncCollection,
    documents: list[dict[str, Any]],
    *,
    session: AsyncClientSession | None,
    on_duplicate: Callable[[], None] | None = None,
) -> None:
    """Insert `documents` in `session`'s transaction: at the group's end when `session` is a group's.

    Outside a group they are inserted now and a duplicate key raises `DuplicateKeyError` here
    (`on_duplicate` is called first); in a group it fails the write at the group's end instead.
    """
    if not documents:
        return
    pending = _inserts.get()
    if pending is not None and session is not None and pending.session is session:
        pending.add(collection, documents, on_duplicate)
        return
    try:
        if len(documents) == 1:
            await collection.insert_one(documents[0], session=session)
        else:
            await collection.insert_many(documents, session=session)
    except (DuplicateKeyError, BulkWriteError) as error:
        if on_duplicate is not None and (isinstance(error, DuplicateKeyError) or _duplicate_bulk(error)):
            on_duplicate()
        raise


def _duplicate_bulk(error: BulkWriteError) -> bool:
    return any(failure.get("code") == _DUPLICATE_KEY for failure in error.details.get("writeErrors") or [])


def _transient(error: BaseException) -> bool:
    return isinstance(error, PyMongoError) and error.has_error_label("TransientTransactionError")


@dataclass
class GroupCommit:
    client: AsyncMongoClient
    max_group: int = 64
    linger_seconds: float = 0.002
    max_in_flight: int = 2
    on_commit: Callable[[], None] = lambda: None
    _queue: deque[_Pending] = field(default_factory=deque)
    _committers: set[asyncio.Task] = field(default_factory=set)
    _lingering: int = 0

    async def run(self, work: Work) -> Any:
        """Run `work` in a transaction shared with the writes waiting beside it; its own result or error."""
        pending = _Pending(work, asyncio.get_running_loop().create_future(), current_traceparent())
        self._queue.append(pending)
        WAITING.set(len(self._queue))
        # A committer lingering takes this write; otherwise start one, unless enough are committing.
        if self._lingering == 0:
            self._start_committer()
        # A caller that goes away (client disconnect) does not stop the group: its write may
        # commit, as it could have just before the disconnect anyway.
        return await asyncio.shield(pending.done)

    def _start_committer(self) -> None:
        if len(self._committers) < self.max_in_flight:
            committer = asyncio.create_task(self._commit_while_waiting(), name="intake group commit")
            self._committers.add(committer)
            committer.add_done_callback(self._committers.discard)

    async def _commit_while_waiting(self) -> None:
        while self._queue:
            if self.linger_seconds and len(self._queue) < self.max_group:
                # A few more milliseconds let the requests on their way join this transaction.
                self._lingering += 1
                try:
                    await asyncio.sleep(self.linger_seconds)
                finally:
                    self._lingering -= 1
                if not self._queue:
                    break  # another committer took them
            group = [self._queue.popleft() for _ in range(min(len(self._queue), self.max_group))]
            WAITING.set(len(self._queue))
            if self._queue:
                self._start_committer()  # more than one group waits: the next need not wait for this one
            try:
                await self._commit(group)
            except BaseException as error:  # the store is away, or the task is cancelled: each write learns it
                for pending in group:
                    if not pending.done.done():
                        pending.done.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    raise

    async def _commit(self, group: list[_Pending]) -> None:
        active = list(group)
        refused: dict[int, BaseException] = {}  # position in the group → its error
        requeued: list[_Pending] = []  # lost a race on a unique key: to the next group
        position = {id(pending): index for index, pending in enumerate(group)}
        try:
            while active:
                runs = 0

                async def run_all(session: AsyncClientSession) -> None:
                    nonlocal runs
                    runs += 1
                    if runs > 1:
                        CONFLICTS.inc()  # the driver runs the callback again only after a transient error
                    await self._run_all(session, active)

                try:
                    # Not causally consistent: a session that has run a statement sends its cluster
                    # time as a read concern with the next transaction's first statement, which may
                    # be the group's bulk write, and SecantusDB refuses a read concern there. A
                    # transaction reads the latest committed state on the primary anyway.
                    async with self.client.start_session(causal_consistency=False) as session:
                        await session.with_transaction(run_all)
                except _WriteFailed as failed:
                    pending, error = failed.pending, failed.error
                    active.remove(pending)
                    index = position[id(pending)]
                    # Later writes that were refused may have looked at this one's uncommitted state.
                    for later in [i for i in refused if i > index]:
                        del refused[later]
                        active.append(group[later])
                        REDONE.labels("refused").inc()
                    active.sort(key=lambda p: position[id(p)])
                    if isinstance(error, DuplicateKeyError) and pending.duplicate_runs < _DUPLICATE_RUNS - 1:
                        pending.duplicate_runs += 1
                        REDONE.labels("duplicate_key").inc()
                        requeued.append(pending)
                    else:
                        refused[index] = error
                    continue
                except Exception as failure:  # noqa: BLE001 - the store away, or a failure no one write owns: each write of the group learns it
                    for pending in active:
                        if not pending.done.done():
                            pending.done.set_exception(failure)
                    break
                if active:
                    GROUP_SIZE.observe(len(active))
                    self.on_commit()
                for pending in active:
                    if not pending.done.done():
                        pending.done.set_result(pending.result)
                break
        finally:
            # First in the next group, in their order: they see the winners' state and answer from it.
            self._queue.extendleft(reversed(requeued))
        for index, refusal in refused.items():
            if not group[index].done.done():
                group[index].done.set_exception(refusal)

    async def _run_all(self, session: AsyncClientSession, active: list[_Pending]) -> None:
        inserts = _Inserts(session)
        token = _inserts.set(inserts)
        try:
            for pending in active:
                inserts.current = pending
                writing = writing_traceparent.set(pending.traceparent)
                try:
                    pending.result = await pending.work(session)
                except Exception as error:
                    if _transient(error):
                        raise  # with_transaction runs the whole group again
                    raise _WriteFailed(pending, error) from error
                finally:
                    writing_traceparent.reset(writing)
            # Everything the group's writes inserted, its outbox rows included (one per federation),
            # in one bulk write: two store operations for the whole group (the bulk write, the
            # commit) beside the reads its writes make.
            await inserts.finish()
        finally:
            _inserts.reset(token)
