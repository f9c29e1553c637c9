"""A small single-flight cache for figures that many dashboards ask for at once.

Fifty clients asking for the same period share one computation, and no request waits for a
recomputation it does not need:

- An answer is *fresh* until `max_age` seconds have passed or `changed()` is called (the
  projection committed a batch, the store's change stream saw a write). A fresh answer is
  served as it is. On `changed()`, every answer read within the last `serve_stale_for`
  seconds is recomputed at once, without waiting for its next request.
- A *stale* answer younger than `serve_stale_for` seconds is still served, while one
  recomputation runs in the background; the next requests get its result. So a change is
  visible one computation after it is signalled, and requests never queue behind the store.
- An answer older than that, or none, is computed while the caller waits (shared by every
  caller asking meanwhile).
- `clear()` forgets everything at once: after a write whose effect the very next read must show
  (a PUT's write-through). A computation that started before it is not kept.

Computations of one key never overlap, so an older result can never replace a newer one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any = None
    has_value: bool = False
    computed_at: float = 0.0  # when the computation that produced `value` started
    version: int = -1  # the change count when it started
    running: asyncio.Future | None = None  # the computation in flight, if any
    compute: Callable[[], Awaitable[Any]] | None = None  # how it was last computed
    read_at: float = 0.0


class SharedFigures:
    def __init__(
        self,
        *,
        max_age: float = 0.5,
        serve_stale_for: float = 2.0,
        max_entries: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_age = max_age
        self._serve_stale_for = serve_stale_for
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[Hashable, _Entry] = {}
        self._version = 0  # moves on every `changed()`
        self._epoch = 0  # moves on every `clear()`
        self._background: set[asyncio.Task] = set()
        self._refresh_scheduled = False

    def changed(self) -> None:
        """The figures may have moved: recompute what is being read (serving the last answers meanwhile)."""
        self._version += 1
        if not self._refresh_scheduled:
            # Many signals in one turn of the event loop (a batch's commit, its change-stream
            # records) start one recomputation per answer.
            self._refresh_scheduled = True
            asyncio.get_running_loop().call_soon(self._refresh_read_answers)

    def _refresh_read_answers(self) -> None:
        self._refresh_scheduled = False
        now = self._clock()
        for key, entry in list(self._entries.items()):
            if entry.has_value and entry.running is None and entry.compute is not None and now - entry.read_at <= self._serve_stale_for:
                self._refresh_in_background(key, entry, entry.compute, now)

    def clear(self) -> None:
        """Forget everything: after a write whose effect the next read must show."""
        self._epoch += 1
        self._entries.clear()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        now = self._clock()
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= self._max_entries:
                self._evict(now)
            entry = self._entries[key] = _Entry()
        entry.compute, entry.read_at = compute, now
        if entry.has_value:
            age = now - entry.computed_at
            if entry.version == self._version and age <= self._max_age:
                return entry.value
            if age <= self._serve_stale_for:
                if entry.running is None:
                    self._refresh_in_background(key, entry, compute, now)
                return entry.value
        if entry.running is None:
            self._start(key, entry, compute, now)
        assert entry.running is not None  # set by _start
        return await asyncio.shield(entry.running)

    def _refresh_in_background(self, key: Hashable, entry: _Entry, compute: Callable[[], Awaitable[Any]], now: float) -> None:
        self._start(key, entry, compute, now)
        assert entry.running is not None  # set by _start
        task = asyncio.ensure_future(self._settle(entry.running))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _start(self, key: Hashable, entry: _Entry, compute: Callable[[], Awaitable[Any]], now: float) -> None:
        entry.running = asyncio.ensure_future(self._compute(key, entry, compute, now, self._version, self._epoch))

    async def _compute(
        self, key: Hashable, entry: _Entry, compute: Callable[[], Awaitable[Any]], started: float, version: int, epoch: int
    ) -> Any:
        try:
            value = await compute()
        finally:
            entry.running = None
        if epoch == self._epoch and self._entries.get(key) is entry:
            entry.value, entry.has_value, entry.computed_at, entry.version = value, True, started, version
        return value

    @staticmethod
    async def _settle(running: asyncio.Future) -> None:
        # A background refresh that fails leaves the last answer in place; the next request tries again.
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await running
            except Exception:
                log.exception("refreshing cached figures failed; serving the previous answer meanwhile")

    def _evict(self, now: float) -> None:
        self._entries = {
            key: entry
            for key, entry in self._entries.items()
            if entry.running is not None or now - entry.computed_at <= self._serve_stale_for
        }
        if len(self._entries) >= self._max_entries:
            self._entries = {key: entry for key, entry in self._entries.items() if entry.running is not None}
