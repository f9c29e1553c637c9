"""One batch applied in the background while the caller decodes the next.

Decoding a batch is the service's work; applying it is mostly the store's. Run one after the
other, each waits for the other; overlapped, the service decodes batch N+1 while the store
applies batch N. Applies still run one at a time and in the order submitted, and the caller
never gets more than one batch ahead (the next `submit` waits for the batch in flight).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class ApplyPipeline:
    """At most one apply in flight; `submit` starts the next once the previous has finished.

    One caller submits (a subscriber's handler, a rebuild's loop): two concurrent `submit`s
    would both wait for the same apply and then start theirs side by side.
    """

    def __init__(self) -> None:
        self._applying: asyncio.Task[int] | None = None

    @property
    def busy(self) -> bool:
        return self._applying is not None and not self._applying.done()

    async def submit(self, apply: Callable[[], Awaitable[int]]) -> int:
        """Wait for the batch in flight, then start `apply()` in the background.

        Returns what the previous batch's apply returned (0 if there was none); its failure is
        raised here, and `apply` is then not started.
        """
        finished = await self.drain()
        self._applying = asyncio.ensure_future(apply())
        return finished

    async def drain(self) -> int:
        """Wait for the batch in flight, if any, and return what its apply returned: 0 for one
        abandoned meanwhile (it applied nothing)."""
        if self._applying is None:
            return 0
        # Waited for, not awaited: a caller cancelled meanwhile leaves the apply running, still
        # held here, for `abandon` to stop and wait for.
        applying = self._applying
        await asyncio.wait({applying})
        if self._applying is applying:
            self._applying = None
        # Cancelled by `abandon` (a closing consumer, say), not by this caller: nothing to report.
        return 0 if applying.cancelled() else applying.result()

    async def abandon(self) -> None:
        """Cancel the batch in flight and wait until it has stopped, however long that takes, so
        that none of it runs on beside whatever comes next (a retry, a shutdown). Its failure, if
        any, is dropped: the failure that matters is the one the caller is handling."""
        if self._applying is None:
            return
        applying = self._applying
        if not applying.done():
            applying.cancel()
            await asyncio.wait({applying})
        if self._applying is applying:
            self._applying = None
        if not applying.cancelled():
            applying.exception()  # retrieved, so that asyncio does not report it as never seen
