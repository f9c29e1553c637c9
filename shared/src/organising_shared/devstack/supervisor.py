"""Keeping the local stack's services running: one that exits is started again on its own.

A service killed or crashed is restarted after a back-off (1 s, doubling up to 30 s), while the
others keep running. A service that keeps dying is not restarted for ever: past `max_restarts`
restarts within `window_seconds` the launcher gives up and stops the stack, as it did on any
exit before, so a broken service (a port taken, a bad setting) is reported, not hidden.

The supervisor is driven by its caller's loop (`check` once per turn, from the main thread):
the launcher's children are tied to the thread that spawned them (see `processes.spawn`).
"""

from __future__ import annotations

import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = 5
    window_seconds: float = 300.0
    first_delay: float = 1.0
    max_delay: float = 30.0

    def delay(self, recent_restarts: int) -> float:
        """The wait before the next start, given how many restarts the window already holds."""
        return min(self.first_delay * 2**recent_restarts, self.max_delay)


@dataclass
class SupervisedService:
    """One service process, started by `start()`, restarted by `check()` when it has exited."""

    name: str
    start: Callable[[], subprocess.Popen]
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    healthy: Callable[[], bool] = lambda: True
    say: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    process: subprocess.Popen | None = None
    given_up: bool = False
    restarts: deque[float] = field(default_factory=deque)
    _restart_at: float | None = None
    _awaiting_health: bool = False

    def launch(self) -> subprocess.Popen:
        self.process = self.start()
        return self.process

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check(self) -> None:
        """Notice an exit, schedule the restart, or do the restart that is due."""
        if self.given_up or self.process is None:
            return
        now = self.clock()
        if self.running:
            if self._awaiting_health and self.healthy():
                self._awaiting_health = False
                self.say(f"{self.name} is back (pid {self.process.pid}, healthy)")
            return
        if self._restart_at is None:
            self._schedule(now)
        elif now >= self._restart_at:
            self._restart_at = None
            self.restarts.append(now)
            process = self.launch()
            self._awaiting_health = True
            self.say(f"{self.name} restarted (pid {process.pid})")

    def _schedule(self, now: float) -> None:
        assert self.process is not None  # check() returns early before the first launch
        while self.restarts and now - self.restarts[0] > self.policy.window_seconds:
            self.restarts.popleft()
        code = self.process.returncode
        recent = len(self.restarts)
        if recent >= self.policy.max_restarts:
            self.given_up = True
            self.say(
                f"{self.name} exited with code {code} after {recent} restarts within "
                f"{self.policy.window_seconds:.0f} s; not restarting it again"
            )
            return
        delay = self.policy.delay(recent)
        self._restart_at = now + delay
        self.say(
            f"{self.name} exited with code {code}; restarting in {delay:.1f} s "
            f"(restart {recent + 1} of at most {self.policy.max_restarts} within {self.policy.window_seconds:.0f} s)"
        )
