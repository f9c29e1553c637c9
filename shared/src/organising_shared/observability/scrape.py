"""Metrics read when Prometheus scrapes: async refreshers awaited by the `/metrics` route.

A prometheus-client collector is synchronous, so what needs a store read or a broker call (the
outbox backlog, committed consumer offsets) is refreshed here first, and the collector only
reports the values the last refresh left. Nothing runs between scrapes: no background loop,
and no cost on the paths that handle events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

Refresher = Callable[[], Awaitable[None]]

# A scrape must answer even when the store or the broker does not: past this, what a refresher
# had not finished is left at its last value (Prometheus's own scrape timeout is 10 s).
REFRESH_TIMEOUT_SECONDS = 3.0

_refreshers: list[Refresher] = []


@contextmanager
def refreshed_on_scrape(refresher: Refresher) -> Iterator[None]:
    """Await `refresher` before each scrape while the `with` block runs (a service's lifespan)."""
    _refreshers.append(refresher)
    try:
        yield
    finally:
        _refreshers.remove(refresher)


async def refresh_before_scrape(within: float = REFRESH_TIMEOUT_SECONDS) -> None:
    refreshers = list(_refreshers)
    if not refreshers:
        return
    try:
        async with asyncio.timeout(within):
            outcomes = await asyncio.gather(*(refresh() for refresh in refreshers), return_exceptions=True)
    except TimeoutError:
        log.warning("metrics: a scrape-time refresh took over %.0f s; its figures are the last known", within)
        return
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            # The type only, as everywhere: an error's text can quote a record.
            log.warning("metrics: a scrape-time refresh failed (%s); its figures are the last known", type(outcome).__name__)
