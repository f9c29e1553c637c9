"""The reporting service's app factory and entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from organising_shared.auth.dependencies import Authenticator
from organising_shared.auth.tokens import TokenStore
from organising_shared.health import HealthProbe, health_router
from organising_shared.kafka import ensure_organising_topics, make_broker
from organising_shared.logging import configure_logging
from organising_shared.mongo import make_mongo_client
from reporting.config import ReportingSettings
from reporting.consumers import register_consumers


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mongo = make_mongo_client(settings.mongodb_url)
        broker = make_broker(settings, client_id="reporting")
        await ensure_organising_topics(settings)
        register_consumers(broker, mongo[settings.database], settings)
        await broker.start()
        app.state.health = HealthProbe(broker=broker, mongo=mongo)
        app.state.authenticator = Authenticator(
            TokenStore(mongo[settings.auth_database]["tokens"]),
            admin_token=settings.admin_token.get_secret_value() if settings.admin_token else None,
        )
        try:
            yield
        finally:
            await broker.stop()
            await mongo.close()

    app = FastAPI(title="Organising reporting", version="1", lifespan=lifespan)
    app.include_router(health_router())
    return app


def run() -> None:
    configure_logging()
    settings = ReportingSettings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.port, log_config=None)


if __name__ == "__main__":
    run()
