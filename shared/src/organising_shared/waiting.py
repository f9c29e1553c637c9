"""Waiting with a time limit without losing a cancellation; noticing a lost one.

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


def stop_if_cancelled() -> None:
    """Raise `CancelledError` if this task was asked to stop and the request got lost.

    Background loops call it once per turn. A library that catches the cancellation inside a
    call (seen with PyMongo's async change streams and cursors at shutdown: the task stays
    "cancelling" and the loop runs on) would otherwise keep a stopping service alive for ever.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
