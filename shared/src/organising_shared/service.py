"""What every service's lifespan does: clients, topics, auth and health, opened and closed in order.

@asynccontextmanager
async def lifespan(app):
    async with service_runtime(app, settings, client_id="reporting") as runtime:
        register_consumers(runtime.broker, ...)   # subscribers before the broker starts
        await runtime.broker.start()
        yield
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from organising_shared.auth.dependencies import Authenticator
from organising_shared.auth.tokens import TokenStore
from organising_shared.health import HealthProbe
from organising_shared.kafka import ensure_organising_topics, make_broker
from organising_shared.logging import configure_logging
from organising_shared.mongo import make_mongo_client
from organising_shared.observability.lag import watch_consumer_lag
from organising_shared.settings import OrganisingSettings


@dataclass
class ServiceRuntime:
    settings: Any
    mongo: AsyncMongoClient
    broker: KafkaBroker
    health: HealthProbe


@asynccontextmanager
async def service_runtime(app: FastAPI, settings: OrganisingSettings, *, client_id: str) -> AsyncIterator[ServiceRuntime]:
    mongo = make_mongo_client(settings.mongodb_url)
    broker = make_broker(settings, client_id=client_id)
    try:
        await ensure_organising_topics(settings)
        health = HealthProbe(broker=broker, mongo=mongo, stalled_after=settings.projection_stalled_after_seconds)
        app.state.health = health
        app.state.authenticator = Authenticator(
            TokenStore(mongo[settings.auth_database]["tokens"]),
            admin_token=settings.admin_token.get_secret_value() if settings.admin_token else None,
        )
        with watch_consumer_lag(broker):
            yield ServiceRuntime(settings=settings, mongo=mongo, broker=broker, health=health)
    finally:
        await broker.stop()
        await mongo.close()


def serve(app: FastAPI, *, host: str, port: int) -> None:
    """Run an app on uvicorn with the shared log format (uvicorn's own config would replace it).

    uvicorn's access log is off: it writes raw paths, with ids in them; the app's own access line
    (`observability.http`) names the route template and carries the request id.
    """
    configure_logging()
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10)
