"""Live figures: a server-sent-event stream that pushes a view's new figures when they change.

How a change reaches a browser, on any number of reporting instances:

1. Some instance's consumer applies a batch of events to the projections (one transaction).
2. Every instance watches the reporting database with a MongoDB change stream, so each sees the
   write whichever instance made it. No instance-to-instance messaging is needed.
3. The instance waits a moment for the burst to settle (`settle`, 20 ms; under a steady flood at
   most one recomputation per `min_interval`, 100 ms), then recomputes each view that has a
   subscriber, once, and hands the result to that view's subscribers, only when the figures
   differ from the last ones sent. The instance that committed the batch is also told in process
   (`after_commit`), without waiting for its own write to come back through the change stream.

Where change streams are unavailable (a standalone mongod), the watcher falls back to
recomputing every `poll_interval`; subscribers still get only real changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from sse_starlette import EventSourceResponse, ServerSentEvent

from organising_shared.auth import Principal
from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import Period
from organising_shared.waiting import stop_if_cancelled, wait_at_most
from reporting.api.dashboard import snapshot_computer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class View:
    """What a subscriber looks at: one period, optionally one federation, with or without small cells."""

    period: str
    federation: str | None
    suppress_small: bool


Snapshot = dict[str, Any]
ComputeView = Callable[[View], Awaitable[Snapshot]]


def _comparable(snapshot: Snapshot) -> Snapshot:
    # `as_of` moves on every computation; only the figures decide whether anything changed.
    return {key: value for key, value in snapshot.items() if key != "as_of"}


class _LatestOnly:
    """A subscriber's mailbox that keeps only the newest snapshot: a slow reader skips, never lags."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Snapshot] = asyncio.Queue(maxsize=1)

    def put(self, snapshot: Snapshot) -> None:
        with contextlib.suppress(asyncio.QueueEmpty):
            self._queue.get_nowait()
        self._queue.put_nowait(snapshot)

    async def get(self) -> Snapshot:
        return await self._queue.get()


@dataclass
class _ViewState:
    mailboxes: set[_LatestOnly] = field(default_factory=set)
    last_sent: Snapshot | None = None


class LiveFigures:
    """Fan-out of recomputed views to subscribers; `changed()` is called when the store changes."""

    def __init__(self, compute: ComputeView, *, settle: float = 0.02, min_interval: float = 0.1, refresh_every: float = 60.0) -> None:
        self._compute = compute
        self._settle = settle
        self._min_interval = min_interval
        # Figures also move without any write: expected_to_date grows each Jakarta day.
        self._refresh_every = refresh_every
        self._views: dict[View, _ViewState] = {}
        self._dirty = asyncio.Event()
        # One computation at a time: an older result can never overwrite a newer one.
        self._computing = asyncio.Lock()

    def changed(self) -> None:
        self._dirty.set()

    @contextlib.asynccontextmanager
    async def subscribe(self, view: View) -> AsyncIterator[Callable[[], Awaitable[Snapshot]]]:
        """Yields `next_snapshot()`: the view's current figures first, then each change."""
        mailbox = _LatestOnly()
        state = self._views.setdefault(view, _ViewState())
        state.mailboxes.add(mailbox)
        try:
            async with self._computing:
                snapshot = await self._compute(view)
                # The newcomer gets the current figures; the others only if they are news to them.
                if state.last_sent is None or _comparable(state.last_sent) != _comparable(snapshot):
                    self._deliver(state, snapshot)
                else:
                    mailbox.put(snapshot)
            yield mailbox.get
        finally:
            state.mailboxes.discard(mailbox)
            if not state.mailboxes and self._views.get(view) is state:
                del self._views[view]

    async def run(self) -> None:
        """Recompute watched views soon after each change; runs until cancelled.

        Leading edge, not a trailing debounce: a trailing debounce waits for a quiet spell, which
        a steady flood of commits never gives, so every redraw waited for its `max_wait` (p95 ≈
        0.5 s in `python -m bench live`). Here the first change is recomputed after `settle` (the
        records of one commit arrive together and make one recomputation), and under a flood
        at most once per `min_interval`; a change during a recomputation is picked up by the next.
        """
        loop = asyncio.get_running_loop()
        last = -math.inf
        while True:
            stop_if_cancelled()
            await wait_at_most(self._dirty.wait(), self._refresh_every)
            await asyncio.sleep(max(self._settle, last + self._min_interval - loop.time()))
            self._dirty.clear()
            last = loop.time()
            await self.refresh()

    async def refresh(self) -> None:
        for view, state in list(self._views.items()):
            async with self._computing:
                try:
                    snapshot = await self._compute(view)
                except Exception:
                    # A failed computation (the store away for a moment) must not end the
                    # stream; the next change or poll tries again.
                    log.exception("recomputing a live view failed (period %s)", view.period)
                    continue
                if state.last_sent is None or _comparable(state.last_sent) != _comparable(snapshot):
                    self._deliver(state, snapshot)

    @staticmethod
    def _deliver(state: _ViewState, snapshot: Snapshot) -> None:
        state.last_sent = snapshot
        for mailbox in state.mailboxes:
            mailbox.put(snapshot)


# Member documents and the audit copy are most of the writes (one per event) and no figure is
# read from them: their changes, and every change's document, are left out of the stream, which
# otherwise costs the consumer's event loop about a fifth of its time under a flood.
_FIGURE_CHANGES: list[dict[str, Any]] = [
    {"$match": {"ns.coll": {"$not": {"$regex": "(_members|^events)$"}}}},
    {"$project": {"_id": 1, "operationType": 1, "ns": 1}},
]


async def watch_store(
    database: AsyncDatabase, figures: Any, *, poll_interval: float = 1.0, retry_delay: float = 1.0, max_retry_delay: float = 30.0
) -> None:
    """Tell `figures` (anything with `changed()`) about every write to `database`; runs until cancelled.

    A stream that ends — an error, or closed by the server because the database was dropped or
    renamed (an `invalidate`: the stream is then no longer `alive`, and `try_next` would return
    at once, for ever) — is reopened after a delay that doubles up to `max_retry_delay` until a
    stream delivers a change again.
    """
    delay = retry_delay
    while True:
        stop_if_cancelled()
        try:
            async with await database.watch(pipeline=_FIGURE_CHANGES, max_await_time_ms=1000) as stream:
                # A write may have landed while no stream was open (start-up, reconnection).
                figures.changed()
                while stream.alive:
                    # `try_next` returns after every empty wait on the server (1 s), so a stop
                    # request that the driver swallowed is noticed here.
                    if await stream.try_next() is not None:
                        figures.changed()
                        delay = retry_delay
                    stop_if_cancelled()
            log.warning("change stream on the reporting store was closed (invalidated?); reopening in %.1f s", delay)
        except PyMongoError as error:
            if _change_streams_unsupported(error):
                log.warning("the store has no change streams; live figures poll every %s s", poll_interval)
                await _poll(figures, poll_interval)
                return
            log.warning("change stream on the reporting store ended (%s); reopening in %.1f s", type(error).__name__, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_retry_delay)


def _change_streams_unsupported(error: PyMongoError) -> bool:
    # 40573: "The $changeStream stage is only supported on replica sets"; 40324: unknown stage.
    return getattr(error, "code", None) in {40573, 40324}


async def _poll(figures: LiveFigures, interval: float) -> None:
    while True:
        figures.changed()
        await asyncio.sleep(interval)


class _AllOf:
    """Tells each listener about a change."""

    def __init__(self, listeners: list[Any]) -> None:
        self._listeners = listeners

    def changed(self) -> None:
        for listener in self._listeners:
            listener.changed()


def view_for(principal: Principal, period: str, federation: str | None, federations: tuple[str, ...]) -> View:
    """The view a caller asked for (422 for a bad period or federation).

    Every role reads targets, as GET /api/v1/targets does; breakdowns hide small cells from
    every role but admin (docs/decisions.md).
    """
    try:
        Period.parse(period)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    if federation is not None and federation not in federations:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "federation: is not one of the configured federations")
    return View(period=period, federation=federation, suppress_small=not principal.is_admin)


def live_router(*, compute_for: Callable[[AsyncDatabase], ComputeView] = snapshot_computer) -> APIRouter:
    """GET /api/v1/live, and the watcher that feeds it for the app's lifetime.

    Its lifespan runs inside the app's, so `app.state.reporting_database` is open by then.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        database = app.state.reporting_database
        figures = LiveFigures(compute_for(database))
        app.state.live_figures = figures
        # The same signal marks the API's cached answers stale (writes by any instance).
        listeners = [figures, *([app.state.shared_figures] if hasattr(app.state, "shared_figures") else [])]
        tasks = [
            asyncio.create_task(figures.run(), name="live-figures"),
            asyncio.create_task(watch_store(database, _AllOf(listeners)), name="live-store-watch"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    router = APIRouter(lifespan=lifespan, tags=["live"])

    @router.get(
        "/api/v1/live",
        summary="Server-sent events named `figures`: the period's figures now, then again each time they change",
        response_class=EventSourceResponse,
    )
    async def live_figures(
        request: Request,
        principal: CurrentPrincipal,
        period: Annotated[str, Query(description="`2026`, `2026-S1` or `2026-Q3`", examples=["2026-S1"])],
        federation: Annotated[str | None, Query(description="only this federation's targets")] = None,
    ) -> EventSourceResponse:
        view = view_for(principal, period, federation, request.app.state.reporting_settings.federations)
        return EventSourceResponse(_figure_events(request.app.state.live_figures, view), ping=15, headers={"Cache-Control": "no-store"})

    return router


async def _figure_events(figures: LiveFigures, view: View) -> AsyncIterator[ServerSentEvent]:
    async with figures.subscribe(view) as next_snapshot:
        while True:
            snapshot = await next_snapshot()
            yield ServerSentEvent(data=json.dumps(snapshot, separators=(",", ":")), event="figures")
