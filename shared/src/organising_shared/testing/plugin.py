"""pytest plugin: `pytest_plugins = ["organising_shared.testing.plugin"]` in a conftest.

Integration tests take `infrastructure` (started once per session) and `isolated_settings`
(a settings object with its own topic namespace and databases, so tests never see each other).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from organising_shared.kafka import ensure_organising_topics
from organising_shared.settings import OrganisingSettings
from organising_shared.testing.infrastructure import Infrastructure, test_infrastructure
from organising_shared.testing.secured import SecuredKafka, secured_kafka

_USED = pytest.StashKey[Infrastructure]()


@pytest.fixture(scope="session")
def infrastructure(request: pytest.FixtureRequest) -> Iterator[Infrastructure]:
    with test_infrastructure() as infra:
        request.config.stash[_USED] = infra
        yield infra


@pytest.fixture(scope="session")
def federation_kafka() -> Iterator[SecuredKafka]:
    """A Kafka node of its own with the federation listener and ACLs (organising_shared.testing.secured)."""
    with secured_kafka() as kafka:
        yield kafka


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say what the integration tests ran against, so a log shows it was a real broker."""
    infra = config.stash.get(_USED, None)
    if infra is None:
        terminalreporter.write_line("integration infrastructure: not started (no integration test ran)")
    else:
        terminalreporter.write_line(
            f"integration infrastructure: Apache Kafka {infra.kafka_version} at {infra.kafka_bootstrap_servers}, "
            f"store at {infra.mongodb_url} ({infra.source})"
        )


@pytest.fixture
def namespace() -> str:
    """A short unique name for one test's topics and databases."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def isolated_settings(infrastructure: Infrastructure, namespace: str) -> OrganisingSettings:
    settings = OrganisingSettings(
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        mongodb_url=infrastructure.mongodb_url,
        topic_prefix=f"{namespace}.",
        auth_database=f"{namespace}_auth",
        topic_partitions=3,
    )
    asyncio.run(ensure_organising_topics(settings))
    return settings
