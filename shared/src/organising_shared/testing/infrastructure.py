"""Where the tests' Kafka and store come from, in this order of preference:

1. servers named by KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (both set);
2. testcontainers, when a Docker engine answers (Kafka, and MongoDB as a one-node replica set so
   that transactions work);
3. local processes: Apache Kafka from Maven's jars and SecantusDB, on free loopback ports, in a
   temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from organising_shared.devstack.kafka_node import KafkaNode
from organising_shared.devstack.store_node import StoreNode


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap_servers: str
    mongodb_url: str
    source: str
    kafka_version: str


@contextlib.contextmanager
def test_infrastructure() -> Iterator[Infrastructure]:
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if kafka and mongo:
        yield Infrastructure(kafka, mongo, "environment", "as configured")
    elif _docker_answers():
        with _containers() as infrastructure:
            yield infrastructure
    else:
        with local_processes() as infrastructure:
            yield infrastructure


@contextlib.contextmanager
def local_processes(base: Path | None = None) -> Iterator[Infrastructure]:
    with _nodes(base, "organising-test-", kafka=KafkaNode, store=StoreNode) as (kafka, store):
        yield Infrastructure(kafka.bootstrap_servers, store.url, "local processes", kafka.version)


@contextlib.contextmanager
def local_store(base: Path | None = None) -> Iterator[str]:
    """A SecantusDB process alone, for what needs no Kafka (a benchmark of the store's users
    should not share two cores with an idle broker's start-up); yields its URL."""
    with _nodes(base, "organising-store-", store=StoreNode) as (store,):
        yield store.url


@contextlib.contextmanager
def _nodes(base: Path | None, prefix: str, **kinds: Callable[[Path], Any]) -> Iterator[list[Any]]:
    """A node of each kind, each in its folder of a temporary one, ready; stopped and removed after.

    All launch at once (the JVM's start-up is the long pole), from this thread: children are tied
    to the thread that spawned them.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    nodes = [make(folder / name) for name, make in kinds.items()]
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_ready()
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _docker_answers() -> bool:
    if os.environ.get("ORGANISING_TEST_NO_DOCKER"):
        return False
    try:
        import docker  # testcontainers' dependency

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine, no socket, no permission: use local processes
        return False


@contextlib.contextmanager
def _containers() -> Iterator[Infrastructure]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer("apache/kafka:4.2.0").with_kraft() as kafka_container:
        mongo_container = DockerContainer("mongo:8").with_command("--replSet rs0 --bind_ip_all").with_exposed_ports(27017)
        with mongo_container:
            host, port = mongo_container.get_container_host_ip(), mongo_container.get_exposed_port(27017)
            _initiate_replica_set(f"mongodb://{host}:{port}/?directConnection=true")
            yield Infrastructure(
                kafka_container.get_bootstrap_server(),
                f"mongodb://{host}:{port}/?directConnection=true",
                "testcontainers",
                "4.2.0",
            )


def _initiate_replica_set(url: str) -> None:
    from pymongo import MongoClient

    deadline = time.monotonic() + 60
    client: MongoClient[dict[str, Any]]
    with MongoClient(url, serverSelectionTimeoutMS=2000) as client:
        while True:
            try:
                client.admin.command("replSetInitiate")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        while not client.admin.command("hello").get("isWritablePrimary"):
            if time.monotonic() > deadline:
                raise TimeoutError("MongoDB replica set has no primary")
            time.sleep(0.2)
