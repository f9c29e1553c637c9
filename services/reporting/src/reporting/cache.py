"""A tiny single-flight cache for figures that many dashboards ask for at once.

Fifty clients asking for the same period within a fraction of a second share one computation;
the answer is reused for at most `max_age` seconds, which bounds how stale a figure can be (well
under the one-second freshness the live dashboard needs).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class SharedFigures:
    def __init__(self, *, max_age: float = 0.2, max_entries: int = 256) -> None:
        self._max_age = max_age
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, asyncio.Future]] = {}

    def clear(self) -> None:
        """Forget everything: after a write whose effect the next read must show."""
        self._entries.clear()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and (not entry[1].done() or now - entry[0] <= self._max_age) and not _failed(entry[1]):
            return await asyncio.shield(entry[1])
        if len(self._entries) >= self._max_entries:
            self._entries = {k: v for k, v in self._entries.items() if now - v[0] <= self._max_age}
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._entries[key] = (now, future)
        try:
            result = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # marks it retrieved: waiters re-raise it themselves
            self._entries.pop(key, None)
            raise
        future.set_result(result)
        return result


def _failed(future: asyncio.Future) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)
