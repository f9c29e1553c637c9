"""Fuzz targets for the three services (services.py), one per test module: starting a service
and joining its consumer group takes seconds, the fuzzing of its every route shares it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from notifications.config import NotificationsSettings
from notifications.main import create_app as create_notifications_app
from notifications.store import DELIVERIES, SUBSCRIPTIONS
from recruitment import store as recruitment_store
from recruitment.config import RecruitmentSettings
from recruitment.main import create_app as create_recruitment_app
from reporting.config import ReportingSettings
from reporting.main import create_app as create_reporting_app
from tests.fuzz.http import services
from tests.fuzz.http.figures import TargetFigures
from tests.fuzz.http.harness import FuzzTarget
from tests.fuzz.http.probes import StoredDocuments, TopicEnds

RECRUITMENT_RECORDS = tuple(
    getattr(recruitment_store, name)
    for name in (
        "MEMBERS",
        "MEMBER_KEYS",
        "NIK_CLAIMS",
        "IMPORT_ROWS",
        "IMPORTS",
        "UNITS",
        "CASES",
        "PLAN_ITEMS",
        "ACTIVITIES",
        "WORKPLACES",
        "OUTBOX",
        "IDEMPOTENCY",
    )
)


@pytest.fixture(scope="module")
def reporting_target(infrastructure) -> Iterator[FuzzTarget]:
    namespace, shared = services.isolated_settings(infrastructure)
    settings = ReportingSettings(**shared.model_dump(), database=f"{namespace}_reporting", consumer_group=f"{namespace}-reporting")
    with services.store_and_loop(settings) as (_, loop), services.serving(create_reporting_app(settings), settings) as target:
        # A refused PUT publishes nothing: the targets topic keeps its end.
        topic_ends = TopicEnds(loop, settings.kafka_bootstrap_servers, [settings.topics.targets])
        target.probes = [topic_ends]
        target.on_accepted[("PUT", "/api/v1/targets/{period}/{sector}")] = TargetFigures(target).shows_accepted_target
        try:
            yield target
        finally:
            topic_ends.close()


@pytest.fixture(scope="module")
def recruitment_target(infrastructure) -> Iterator[FuzzTarget]:
    namespace, shared = services.isolated_settings(infrastructure)
    settings = RecruitmentSettings(**shared.model_dump(), database=f"{namespace}_recruitment")
    with services.store_and_loop(settings) as (mongo, _), services.serving(create_recruitment_app(settings), settings) as target:
        # A refused write leaves every record as it was: no member, key, claim, case, unit, plan
        # item, activity or workplace, no
        # stored answer, and no outbox row (so nothing is ever published for it). The relay's
        # lease and published position move on their own and are left out.
        target.probes = [StoredDocuments(mongo, settings.database, RECRUITMENT_RECORDS)]
        yield target


@pytest.fixture(scope="module")
def notifications_target(infrastructure) -> Iterator[FuzzTarget]:
    namespace, shared = services.isolated_settings(infrastructure)
    settings = NotificationsSettings(
        **shared.model_dump(),
        database=f"{namespace}_notifications",
        consumer_group=f"{namespace}-notifications",
        # Hosts are taken as given, not resolved: a fuzzed host name must not cost a DNS timeout.
        # (Deliveries never start: no event is published in this test.)
        allow_private_webhooks=True,
        webhook_secret_keys=Fernet.generate_key().decode(),
    )
    with services.store_and_loop(settings) as (mongo, _), services.serving(create_notifications_app(settings), settings) as target:
        target.probes = [StoredDocuments(mongo, settings.database, (SUBSCRIPTIONS, DELIVERIES))]
        yield target
