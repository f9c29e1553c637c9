"""Runs FederationAccess.java, a small class on Kafka's own Java AdminClient, with the broker's jars.

Why Java and not Python: aiokafka's admin client cannot alter SCRAM credentials nor manage ACLs;
Kafka's command-line tools can, but their printed output is for people and their options and
home have moved between versions (AclCommand left the core jar in 4.0). The AdminClient's
`alterUserScramCredentials`, `createAcls`, `deleteAcls` and `describeAcls` are Kafka's public,
versioned admin API. The class is compiled once per source and classpath, into a cache folder,
and the password reaches it on stdin, never on a command line that `ps` shows.
"""

from __future__ import annotations

import builtins
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from organising_shared.devstack.kafka_node import kafka_classpath
from organising_shared.devstack.paths import repo_root

_SOURCE = Path(__file__).with_name("FederationAccess.java")
_TIMEOUT_SECONDS = 120


class CredentialRefused(Exception):
    """The broker or the tool refused, for a reason a person can act on (the message says it)."""


@dataclass(frozen=True)
class Acl:
    principal: str
    permission: str
    resource_type: str
    pattern_type: str
    resource: str
    operation: str


@dataclass(frozen=True)
class Listing:
    users: tuple[str, ...]
    acls: tuple[Acl, ...]


def classpath() -> str:
    """ORGANISING_KAFKA_CLASSPATH (e.g. `/opt/kafka/libs/*` in Kafka's image), else Maven's."""
    return os.environ.get("ORGANISING_KAFKA_CLASSPATH") or kafka_classpath()


class JavaAdmin:
    def __init__(self, bootstrap_servers: str, *, cache: Path | None = None) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._cache = cache

    def create(self, name: str, topic_prefix: str, password: str) -> None:
        self._run(["create", name, topic_prefix], stdin=password)

    def rotate(self, name: str, password: str) -> None:
        self._run(["rotate", name], stdin=password)

    def revoke(self, name: str) -> None:
        self._run(["revoke", name])

    def list(self) -> Listing:
        users: builtins.list[str] = []
        acls: builtins.list[Acl] = []
        for line in self._run(["list"]).splitlines():
            kind, *fields = line.split("\t")
            if kind == "user":
                users.append(fields[0])
            elif kind == "acl":
                acls.append(Acl(*fields))
        return Listing(tuple(users), tuple(acls))

    def _run(self, args: builtins.list[str], *, stdin: str = "") -> str:
        jars = classpath()
        classes = self._compiled(jars)
        result = subprocess.run(
            ["java", "-Xmx128m", "-cp", f"{classes}{os.pathsep}{jars}", "FederationAccess", self.bootstrap_servers, *args],
            input=stdin + "\n",
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
        )
        if result.returncode == 2:
            raise CredentialRefused(result.stderr.strip())
        if result.returncode != 0:
            raise RuntimeError(f"FederationAccess {args[0]} failed: {result.stderr.strip()[-2000:]}")
        return result.stdout

    def _compiled(self, jars: str) -> Path:
        digest = hashlib.sha256(_SOURCE.read_bytes() + jars.encode()).hexdigest()[:16]
        folder = (self._cache or _default_cache()) / digest
        if (folder / "FederationAccess.class").exists():
            return folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Compiled beside, then renamed into place: two commands started at once never see half.
        partial = Path(tempfile.mkdtemp(prefix=".compiling-", dir=folder.parent))
        try:
            subprocess.run(
                ["javac", "-nowarn", "-d", str(partial), "-cp", jars, str(_SOURCE)],
                check=True,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_SECONDS,
            )
            try:
                partial.rename(folder)
            except OSError:
                if not (folder / "FederationAccess.class").exists():
                    raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        return folder


def _default_cache() -> Path:
    if configured := os.environ.get("ORGANISING_KAFKA_TOOLS_CACHE"):
        return Path(configured)
    try:
        return repo_root() / "infra" / "kafka" / ".tools"
    except FileNotFoundError:
        return Path(tempfile.gettempdir()) / "organising-kafka-tools"
