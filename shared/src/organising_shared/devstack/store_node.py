"""SecantusDB: a MongoDB-wire-compatible one-node replica set (transactions, change streams)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from organising_shared.devstack.processes import free_port, port_open, spawn, stop, wait_until


@dataclass
class StoreNode:
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def start(self, *, timeout: float = 60.0) -> None:
        self.launch()
        self.wait_ready(timeout=timeout)

    def launch(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        executable = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
        argv = [executable, "--host", "127.0.0.1", "--port", str(self.port), "--storage-path", str(self.data_dir), "--log-level", "WARNING"]
        self.process = spawn(argv, log_path=self.log_path)

    def wait_ready(self, *, timeout: float = 60.0) -> None:
        wait_until(self._answers, timeout=timeout, what="SecantusDB", process=self.process, log_path=self.log_path)

    def stop(self) -> None:
        stop(self.process, timeout=30)

    def _answers(self) -> bool:
        if not port_open(self.port):
            return False
        client: MongoClient[dict[str, Any]]
        with MongoClient(self.url, serverSelectionTimeoutMS=1000) as client:
            client.admin.command("ping")
        return True
