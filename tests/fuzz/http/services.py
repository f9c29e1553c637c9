"""Each service as a fuzz target: its app built the way the integration tests build it, in a
namespace of its own on the session's Kafka and store, called by the admin and by a federation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymongo import MongoClient

from organising_shared.auth import Role, TokenStore
from organising_shared.kafka import ensure_organising_topics
from organising_shared.mongo import make_mongo_client
from organising_shared.settings import OrganisingSettings
from organising_shared.testing.infrastructure import Infrastructure
from tests.fuzz.background import BackgroundLoop
from tests.fuzz.http.harness import Caller, FuzzTarget, start_app, stop_apps

ADMIN_TOKEN = "org_fuzz-admin-token-0123456789abcdef"
FEDERATION = "FSPMI"


def isolated_settings(infrastructure: Infrastructure) -> tuple[str, OrganisingSettings]:
    """What the `isolated_settings` fixture gives a test, for a whole module's target."""
    namespace = f"f{uuid.uuid4().hex[:10]}"
    settings = OrganisingSettings(
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        mongodb_url=infrastructure.mongodb_url,
        topic_prefix=f"{namespace}.",
        auth_database=f"{namespace}_auth",
        topic_partitions=3,
        admin_token=ADMIN_TOKEN,
    )
    asyncio.run(ensure_organising_topics(settings))
    return namespace, settings


def issue_federation_token(settings: OrganisingSettings, federation: str = FEDERATION) -> str:
    async def issue() -> str:
        mongo = make_mongo_client(settings.mongodb_url)
        try:
            store = TokenStore(mongo[settings.auth_database]["tokens"])
            return await store.issue(name=f"{federation.lower()}-office", role=Role.FEDERATION, federation=federation)
        finally:
            await mongo.close()

    return asyncio.run(issue())


@contextmanager
def serving(app: Any, settings: OrganisingSettings) -> Iterator[FuzzTarget]:
    """Start the app, yield it as a target called by the admin and by a federation, stop it."""
    callers = [Caller("admin", ADMIN_TOKEN), Caller(f"federation {FEDERATION}", issue_federation_token(settings))]
    start_app(app)
    try:
        yield FuzzTarget(app=app, callers=callers)
    finally:
        stop_apps()


@contextmanager
def store_and_loop(settings: OrganisingSettings) -> Iterator[tuple[MongoClient, BackgroundLoop]]:
    """A plain store client and an event loop for the probes, on the test's side."""
    mongo = MongoClient(settings.mongodb_url)
    try:
        with BackgroundLoop() as loop:
            yield mongo, loop
    finally:
        mongo.close()
