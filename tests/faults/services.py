"""The services as OS processes (`python -m <service>.main`), configured through their environment
as in production, each in the test's own topic namespace and databases, killable and restartable
on the same port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from organising_shared.devstack.processes import free_port
from organising_shared.settings import OrganisingSettings
from tests.integration.helpers import eventually

ADMIN_TOKEN = "faults-admin-token-0123456789abcdef"


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}-{self.port}.log"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, f"{self.name} is already running"
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"{self.name}.main"],
                env={**os.environ, **self.env, "ORGANISING_PORT": str(self.port)},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    async def healthy(self, timeout: float = 60.0) -> None:
        async def answers() -> bool:
            assert self.process is not None and self.process.poll() is None, f"{self.name} exited:\n{self.log_tail()}"
            try:
                async with httpx.AsyncClient(timeout=1) as client:
                    return (await client.get(self.url + "/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(answers, timeout=timeout, interval=0.2, what=f"{self.name} answering /healthz")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        assert self.process is not None and self.process.poll() is None, f"{self.name} was not running when it was to be killed"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def service_env(settings: OrganisingSettings, namespace: str, service: str, **extra: str) -> dict[str, str]:
    """The environment of one service in `namespace` (its database and consumer group too)."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URL": settings.mongodb_url,
        "ORGANISING_TOPIC_PREFIX": settings.topic_prefix,
        "ORGANISING_TOPIC_PARTITIONS": str(settings.topic_partitions),
        "ORGANISING_AUTH_DATABASE": settings.auth_database,
        "ORGANISING_DATABASE": f"{namespace}_{service}",
        "ORGANISING_CONSUMER_GROUP": f"{namespace}-{service}",
        "ORGANISING_ADMIN_TOKEN": ADMIN_TOKEN,
        "ORGANISING_LOG_LEVEL": "WARNING",
        **extra,
    }
