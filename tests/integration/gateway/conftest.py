from collections.abc import Iterator

import pytest

from gateway.config import GatewaySettings
from organising_shared.testing.secured import SecuredKafka, secured_kafka
from reporting.config import ReportingSettings
from tests.integration.reporting.support import ADMIN_TOKEN


@pytest.fixture(scope="package")
def federation_kafka() -> Iterator[SecuredKafka]:
    """The secured broker for this package's tests only: stopped when they end, so that its JVM
    does not sit beside the session's broker for the rest of the run (the plugin's fixture of
    the same name lives for the whole session)."""
    with secured_kafka() as kafka:
        yield kafka


@pytest.fixture
def prefix(namespace: str) -> str:
    return f"{namespace}."


@pytest.fixture
def gateway_settings(federation_kafka: SecuredKafka, infrastructure, prefix: str, namespace: str) -> GatewaySettings:
    """The gateway on the secured broker's internal listener, in this test's topic namespace."""
    return GatewaySettings(
        kafka_bootstrap_servers=federation_kafka.bootstrap_servers,
        mongodb_url=infrastructure.mongodb_url,
        topic_prefix=prefix,
        topic_partitions=3,
        gateway_group_id=f"{namespace}-gateway",
    )


@pytest.fixture
def reporting_on_secured(gateway_settings: GatewaySettings, namespace: str) -> ReportingSettings:
    """The reporting service on the same broker and namespace: an internal service, on plaintext."""
    return ReportingSettings(
        kafka_bootstrap_servers=gateway_settings.kafka_bootstrap_servers,
        mongodb_url=gateway_settings.mongodb_url,
        topic_prefix=gateway_settings.topic_prefix,
        topic_partitions=3,
        auth_database=f"{namespace}_auth",
        admin_token=ADMIN_TOKEN,
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
    )
