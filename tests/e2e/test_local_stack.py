"""`make run`'s launcher: the whole stack comes up on loopback and SIGTERM leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from organising_shared.devstack.processes import free_port

pytestmark = pytest.mark.e2e


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _group_members(pgid: int) -> list[str]:
    result = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_stack_answers_healthz_and_sigterm_to_the_group_stops_every_process(tmp_path: Path):
    ports = {name: free_port() for name in ("kafka", "federation", "store", "recruitment", "reporting", "notifications", "gateway")}
    argv = [
        sys.executable,
        "-m",
        "organising_shared.devstack.cli",
        "run",
        "--data",
        str(tmp_path / "var"),
        "--kafka-port",
        str(ports["kafka"]),
        "--store-port",
        str(ports["store"]),
        *(f"--{name}-port={ports[name]}" for name in ("federation", "recruitment", "reporting", "notifications", "gateway")),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL")}
    log = open(tmp_path / "stack.log", "wb")
    stack = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 120
        services = ("recruitment", "reporting", "notifications", "gateway")
        # Ready when the launcher has printed where everything is, and every service answers.
        while "Ctrl-C stops everything" not in (tmp_path / "stack.log").read_text() or not all(_healthy(ports[name]) for name in services):
            assert stack.poll() is None, (tmp_path / "stack.log").read_text()
            assert time.monotonic() < deadline, "stack did not answer /healthz in time:\n" + (tmp_path / "stack.log").read_text()
            time.sleep(0.25)
        assert len(_group_members(stack.pid)) == 7  # launcher, Kafka, store, three services, the gateway
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _group_members(stack.pid):
            assert time.monotonic() < deadline, f"left behind: {_group_members(stack.pid)}"
            time.sleep(0.2)
        assert "stopping" in (tmp_path / "stack.log").read_text()
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
        log.close()
