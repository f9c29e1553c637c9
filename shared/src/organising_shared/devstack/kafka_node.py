"""One Apache Kafka 4.x node in KRaft mode (broker and controller), run from Maven's jars."""

from __future__ import annotations

import base64
import re
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from organising_shared.devstack.paths import repo_root
from organising_shared.devstack.processes import free_port, port_open, spawn, stop, wait_until
from organising_shared.devstack.tls import BrokerTls, ensure_broker_tls

_LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = out
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
logger.appinfo.name = org.apache.kafka.common.utils.AppInfoParser
logger.appinfo.level = INFO
"""


def kafka_classpath(pom_dir: Path | None = None) -> str:
    """The broker's classpath, resolved by Maven once and cached beside the pom until it changes."""
    pom_dir = pom_dir or repo_root() / "infra" / "kafka"
    pom, cached = pom_dir / "pom.xml", pom_dir / ".classpath"
    if not cached.exists() or cached.stat().st_mtime < pom.stat().st_mtime:
        subprocess.run(
            ["mvn", "-q", "-B", "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={cached}"],
            check=True,
        )
    return cached.read_text().strip()


def kafka_version(classpath: str) -> str:
    match = re.search(r"kafka_2\.13-([\w.\-]+)\.jar", classpath)
    return match[1] if match else "unknown"


@dataclass
class KafkaNode:
    data_dir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    heap: str = "512m"
    # The federations' listener (TLS + SASL SCRAM-SHA-512, ACLs enforced); None leaves the node
    # plaintext-only with no authorizer, as the tests that do not need it run it.
    federation_port: int | None = None
    process: subprocess.Popen | None = None
    tls: BrokerTls | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def federation_bootstrap_servers(self) -> str | None:
        return f"127.0.0.1:{self.federation_port}" if self.federation_port else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "kafka.log"

    def start(self, *, timeout: float = 90.0) -> None:
        self.launch()
        self.wait_ready(timeout=timeout)

    def launch(self) -> None:
        """Start the process without waiting for it (call from the thread that will outlive it)."""
        classpath = kafka_classpath()
        self.version = kafka_version(classpath)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.federation_port:
            self.tls = ensure_broker_tls(self.data_dir / "tls")
        config = self._write_config()
        java = ["java", f"-Xmx{self.heap}", f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}", "-cp", classpath]
        if not (self.data_dir / "logs" / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            subprocess.run(
                # `--cluster-id=` form: a random id may start with "-", which argparse would read
                # as an option (1 start in 32 failed).
                [*java, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", str(config)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.process = spawn([*java, "kafka.Kafka", str(config)], log_path=self.log_path)

    def wait_ready(self, *, timeout: float = 90.0) -> None:
        wait_until(self._started, timeout=timeout, what=f"Kafka {self.version}", process=self.process, log_path=self.log_path)

    def stop(self) -> None:
        stop(self.process, timeout=30)

    def _started(self) -> bool:
        ports_open = port_open(self.port) and (not self.federation_port or port_open(self.federation_port))
        return ports_open and "Kafka Server started" in self.log_path.read_text(errors="replace")

    def _write_config(self) -> Path:
        (self.data_dir / "log4j2.properties").write_text(_LOG4J2)
        config = self.data_dir / "server.properties"
        listeners = [f"PLAINTEXT://127.0.0.1:{self.port}"]
        advertised = list(listeners)
        if self.federation_port:
            listeners.append(f"FEDERATION://127.0.0.1:{self.federation_port}")
            advertised.append(f"FEDERATION://127.0.0.1:{self.federation_port}")
        config.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                    f"listeners={','.join(listeners)},CONTROLLER://127.0.0.1:{self.controller_port}",
                    f"advertised.listeners={','.join(advertised)}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,FEDERATION:SASL_SSL",
                    *(federation_listener_config(self.tls) if self.tls else []),
                    f"log.dirs={self.data_dir / 'logs'}",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    # One node, no one to wait for: a consumer group starts consuming at once.
                    "group.initial.rebalance.delay.ms=0",
                    "num.partitions=6",
                    "auto.create.topics.enable=true",
                ]
            )
            + "\n"
        )
        return config


def federation_listener_config(tls: BrokerTls) -> list[str]:
    """TLS + SCRAM-SHA-512 on the FEDERATION listener, and ACLs enforced on every listener.

    The plaintext listener (loopback here, the internal network in compose) has no
    authentication, so its clients are `User:ANONYMOUS`: that principal is the internal
    super-user (the services, the operator's tools, the controller). A federation's credential is
    `User:<its name>` and may do only what its ACLs allow; nothing is allowed without an ACL. No
    SCRAM user can be named ANONYMOUS: `organising-kafka-credentials` accepts lower-case names only.
    """
    return [
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users=User:ANONYMOUS",
        "allow.everyone.if.no.acl.found=false",
        "listener.name.federation.sasl.enabled.mechanisms=SCRAM-SHA-512",
        "listener.name.federation.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
        # A session authenticated before its credential was revoked is closed within this time
        # (its ACLs are gone at once, so it can do nothing meanwhile).
        "connections.max.reauth.ms=300000",
        "listener.name.federation.ssl.keystore.type=PEM",
        f"listener.name.federation.ssl.keystore.location={tls.keystore_path}",
        "listener.name.federation.ssl.enabled.protocols=TLSv1.3,TLSv1.2",
        "listener.name.federation.ssl.client.auth=none",
    ]
