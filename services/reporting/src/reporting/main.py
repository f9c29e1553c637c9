"""The reporting service's app factory and entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from organising_shared.health import health_router
from organising_shared.service import serve, service_runtime
from reporting.config import ReportingSettings
from reporting.consumers import register_consumers


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings, client_id="reporting") as runtime:
            register_consumers(runtime.broker, runtime.mongo[settings.database], settings)
            await runtime.broker.start()
            yield

    app = FastAPI(title="Organising reporting", version="1", lifespan=lifespan)
    app.include_router(health_router())
    return app


def run() -> None:
    settings = ReportingSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.port)


if __name__ == "__main__":
    run()
