"""`organising-devstack run`: a service killed with SIGKILL is started again by the launcher, on its
port, while the broker, the store and the other services keep running."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from organising_shared.testing.local_stack import LocalStack, healthy

pytestmark = pytest.mark.faults


def wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def test_a_killed_service_comes_back_and_the_others_keep_running(tmp_path: Path):
    stack = LocalStack(tmp_path / "var")
    try:
        stack.start()
        before = stack.pids()
        assert all(before.values()), before
        os.kill(before["reporting"], signal.SIGKILL)

        def reporting_back():
            pid = stack.service_pid("reporting")
            return pid if pid not in (None, before["reporting"]) and healthy(stack.ports["reporting"]) else None

        restarted = wait_for(reporting_back, timeout=90, what="reporting restarted and healthy")
        assert stack.process.poll() is None, "the launcher stopped:\n" + stack.log()
        after = stack.pids()
        assert after == {**before, "reporting": restarted}, "another service was restarted too"
        assert all(healthy(stack.ports[name]) for name in ("recruitment", "notifications"))
        log = stack.log()
        assert "reporting exited with code -9; restarting in" in log
        # The launcher notices health on its next turn (every 0.5 s).
        wait_for(lambda: f"reporting is back (pid {restarted}, healthy)" in stack.log(), timeout=10, what="the comeback logged")
    finally:
        stack.stop()
    assert stack.process.returncode == 0, stack.log()
