"""`organising-devstack run` as a child process on free loopback ports, for the fault tests and the
soak: the stack exactly as `make run` starts it, with a way to find each service's process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from organising_shared.devstack.processes import free_port

SERVICE_NAMES = ("recruitment", "reporting", "notifications")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class LocalStack:
    data: Path
    ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in ("kafka", "store", *SERVICE_NAMES)})
    extra_args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.data / "stack.log"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.ports['kafka']}"

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.ports['store']}/?directConnection=true"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, *, timeout: float = 180.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable,
            "-m",
            "organising_shared.devstack.cli",
            "run",
            "--data",
            str(self.data),
            "--kafka-port",
            str(self.ports["kafka"]),
            "--store-port",
            str(self.ports["store"]),
            *(f"--{name}-port={self.ports[name]}" for name in SERVICE_NAMES),
            *self.extra_args,
        ]
        # The stack's own ports, not whatever the caller's environment points at.
        env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL")} | self.env
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child's for its lifetime
        # Its own process group: stop() signals the launcher and everything it started.
        self.process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env
        )
        log.close()
        deadline = time.monotonic() + timeout
        while "Ctrl-C stops everything" not in self.log() or not all(healthy(self.ports[name]) for name in SERVICE_NAMES):
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited with code {self.process.returncode}:\n{self.log()[-4000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the stack did not come up within {timeout:.0f} s:\n{self.log()[-4000:]}")
            time.sleep(0.25)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def service_pid(self, name: str) -> int | None:
        """The pid of the launcher's child running `name` (`python -m <name>.main`), if one runs."""
        assert self.process is not None
        for pid in _children(self.process.pid):
            if f"{name}.main" in _cmdline(pid):
                return pid
        return None

    def pids(self) -> dict[str, int | None]:
        return {name: self.service_pid(name) for name in SERVICE_NAMES}

    def stop(self, timeout: float = 90.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_kib(pid: int) -> int | None:
    """Resident memory of a process, in KiB (VmRSS), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
