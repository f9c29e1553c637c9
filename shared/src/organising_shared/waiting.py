"""Waiting with a time limit without losing a cancellation.

On Python 3.11, `asyncio.wait_for` swallows a cancellation that arrives just as the awaited
thing finishes (CPython gh-86296, fixed in 3.12): a background loop cancelled at shutdown then
carries on forever, and whoever awaits it hangs. Seen here twice in full test runs (the outbox
relay and the notifications dispatcher at teardown). `asyncio.timeout` does not have that flaw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def wait_at_most(awaitable: Awaitable[object], seconds: float) -> bool:
    """Await `awaitable` for at most `seconds`: True if it finished, False if time ran out."""
    try:
        async with asyncio.timeout(seconds):
            await awaitable
    except TimeoutError:
        return False
    return True
