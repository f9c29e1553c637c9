"""The cyclic garbage collector, tuned for processes that hold big batches of decoded events.

A projection keeps a batch of thousands of decoded records alive while it applies them: tens of
thousands of container objects, none of them in a cycle. With CPython's default thresholds (a
pass every 700 new objects, and now and then a full pass over everything) the collector walks
them again and again, and with them everything start-up built. Measured on the reporting
projection and its rebuild: a quarter to a third of their time.

`rare_collections` freezes what exists when it is entered (start-up's modules, schemas, routes
and clients, kept for the life of the process, are left out of every pass from then on) and
lets a pass run only once `objects_between_passes` new container objects have *outlived* their
use: a batch freed as a whole never counts towards it. The trade-off is memory: garbage that
does form cycles waits for that many objects before it is freed, and what outlives a pass waits
for the far rarer passes of the older generations. A long-running service therefore also runs
`collect_every`: a full pass every few seconds, which costs little when no big batch is alive.
Measured with `make soak` (240 s): reporting's memory grew 46 % with the raised threshold alone,
9 % with the default thresholds (its member ledger is most of that).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator


class _Tuning:
    """What the first of overlapping `rare_collections` found, put back when the last one ends
    (tests run several services in one process, and their lifespans end in any order)."""

    users = 0
    thresholds: tuple[int, ...] = ()


@contextlib.contextmanager
def rare_collections(objects_between_passes: int) -> Iterator[None]:
    """Process-wide: enter it around what the process is for (a service's lifetime, a rebuild).
    While any use is active the first one's setting holds; when the last ends, the thresholds
    found before the first are put back and everything is unfrozen."""
    if _Tuning.users == 0:
        gc.collect()
        gc.freeze()
        _Tuning.thresholds = gc.get_threshold()
        gc.set_threshold(objects_between_passes, *_Tuning.thresholds[1:])
    _Tuning.users += 1
    try:
        yield
    finally:
        _Tuning.users -= 1
        if _Tuning.users == 0:
            gc.set_threshold(*_Tuning.thresholds)
            gc.unfreeze()


async def collect_every(seconds: float) -> None:
    """A full collection every `seconds`, until cancelled: cycles that outlived the young
    generation are otherwise kept until one of the rare passes of the older ones."""
    while True:
        await asyncio.sleep(seconds)
        gc.collect()
