"""How far a rebuild has come, and about how long it has left: what its progress lines say.

The total is what the end offsets leave to read (offsets, not records: the platform's topics are
neither compacted nor written in transactions, so the two agree). The estimate assumes the rest
goes at the average rate so far; early batches mix in the violations topic and are slower (see
the reporting README), so the first estimates run high.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def seconds_left(done: int, total: int, elapsed: float) -> float | None:
    """At the average rate so far; None while nothing is done yet (there is no rate to go by)."""
    if done >= total:
        return 0.0
    if done <= 0 or elapsed <= 0:
        return None
    return elapsed * (total - done) / done


def progress_line(name: str, done: int, total: int, elapsed: float) -> str:
    """`rebuild g3: applied 40,000 of 100,000 records (40 %), about 12 s left`."""
    percent = 100.0 if total <= 0 else min(100.0, 100.0 * done / total)
    left = seconds_left(done, total, elapsed)
    estimate = "time left not known yet" if left is None else f"about {left:,.0f} s left"
    return f"rebuild {name}: applied {done:,} of {total:,} records ({percent:.0f} %), {estimate}"


class RebuildProgress:
    """Records to read (growing when the rebuild reads on to the live consumer) and records applied.

    Batches are applied one behind the reading (`apply_pipelined`): when a batch is submitted,
    the one before it has been applied, and the last one is applied when the round ends.
    """

    def __init__(self, name: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.total = 0
        self.applied = 0
        self._in_flight = 0
        self._clock = clock
        self._started = clock()

    def expect(self, records: int) -> None:
        self.total += max(0, records)

    def submitted(self, records: int) -> None:
        """A batch of `records` went to the store: the batch before it has been applied."""
        self.applied += self._in_flight
        self._in_flight = records

    def all_applied(self) -> None:
        self.applied += self._in_flight
        self._in_flight = 0

    def line(self) -> str:
        return progress_line(self.name, self.applied, self.total, self._clock() - self._started)
