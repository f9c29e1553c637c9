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


@pytest.fixture(scope="session")
def infrastructure(request: pytest.FixtureRequest) -> Iterator[Infrastructure]:
    with test_infrastructure() as infra:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"integration infrastructure: Kafka {infra.kafka_version} at {infra.kafka_bootstrap_servers}, "
                f"store at {infra.mongodb_url} ({infra.source})"
            )
        yield infra


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
