"""The recruitment service's app factory and entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from organising_shared.health import health_router
from organising_shared.service import serve, service_runtime
from recruitment.config import RecruitmentSettings


def create_app(settings: RecruitmentSettings | None = None) -> FastAPI:
    settings = settings or RecruitmentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings, client_id="recruitment") as runtime:
            await runtime.broker.start()
            yield

    app = FastAPI(title="Organising recruitment", version="1", lifespan=lifespan)
    app.include_router(health_router())
    return app


def run() -> None:
    settings = RecruitmentSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.port)


if __name__ == "__main__":
    run()
