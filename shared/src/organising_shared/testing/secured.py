"""A second Kafka node for the tests of federation access: the FEDERATION listener (TLS + SASL
SCRAM-SHA-512) on, and ACLs enforced.

Separate from the session's broker because that one may come from the environment or from
testcontainers, neither of which has the listener; and so that the other tests keep running
against Kafka's defaults. Started once per session, and only when a test asks for it.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from organising_shared.devstack.kafka_node import KafkaNode
from organising_shared.devstack.processes import free_port


@dataclass(frozen=True)
class SecuredKafka:
    bootstrap_servers: str  # plaintext, loopback: the internal super-user (services, operator tools)
    federation_bootstrap_servers: str  # TLS + SCRAM-SHA-512: federations' systems
    ca_path: Path  # the local CA that signed the broker's certificate
    version: str


@contextlib.contextmanager
def secured_kafka(base: Path | None = None) -> Iterator[SecuredKafka]:
    folder = Path(tempfile.mkdtemp(prefix="organising-secured-", dir=base))
    node = KafkaNode(folder / "kafka", federation_port=free_port())
    try:
        node.start()
        assert node.tls is not None and node.federation_bootstrap_servers is not None
        yield SecuredKafka(node.bootstrap_servers, node.federation_bootstrap_servers, node.tls.ca_path, node.version)
    finally:
        node.stop()
        shutil.rmtree(folder, ignore_errors=True)
