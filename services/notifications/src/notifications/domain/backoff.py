"""When to try a failed delivery again: exponential backoff with jitter."""

from __future__ import annotations

import random


def retry_delay(attempts: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed attempt.

    The ceiling doubles each time (base, 2·base, 4·base … up to `cap`); the delay is drawn between
    half the ceiling and the ceiling, so receivers that failed together do not retry together,
    and a retry never comes sooner than half the planned wait.
    """
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return (rng or random).uniform(ceiling / 2, ceiling)
