"""The recruitment service's app factory and entry point."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from organising_shared.asyncapi import asyncapi_router
from organising_shared.auth.dependencies import Authenticator
from organising_shared.auth.tokens import TokenStore
from organising_shared.health import health_router
from organising_shared.kafka import make_broker
from organising_shared.metrics import metrics_router
from organising_shared.mongo import make_mongo_client
from organising_shared.observability.app import FASTAPI_TELEMETRY, observe_app
from organising_shared.observability.scrape import refreshed_on_scrape
from organising_shared.problems import PROBLEM_RESPONSES
from organising_shared.service import serve
from recruitment.api import IMPORT_PATH, build_router, install_error_handlers
from recruitment.config import RecruitmentSettings
from recruitment.health import IntakeHealth
from recruitment.import_jobs import ImportJobs
from recruitment.intake import Intake
from recruitment.limits import BodySizeLimit
from recruitment.organisers_app.routes import organisers_app_router
from recruitment.organising import OrganisingIntake
from recruitment.organising_api import build_organising_router
from recruitment.outbox_metrics import refresh_outbox_backlog
from recruitment.relay import OutboxRelay
from recruitment.store import ensure_indexes
from recruitment.vault import Vault

log = logging.getLogger(__name__)


def create_app(settings: RecruitmentSettings | None = None) -> FastAPI:
    settings = settings or RecruitmentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Not the shared service_runtime: it creates topics and starts the broker up front, and
        # this service must take writes while Kafka is down. The relay connects when it can.
        if settings.uses_development_secrets:
            log.warning("recruitment: using the DEVELOPMENT secrets; set ORGANISING_RECRUITMENT_* before real data arrives")
        mongo = make_mongo_client(settings.mongodb_url)
        broker = make_broker(settings, client_id="recruitment")
        relay_task: asyncio.Task | None = None
        try:
            db = mongo[settings.database]
            await ensure_indexes(db)
            relay = OutboxRelay(db, broker, settings)
            vault = Vault(
                master_keys=settings.master_keys_bytes,
                pseudonym_secret=settings.pseudonym_secret.get_secret_value().encode(),
                lookup_secret=settings.nik_secret.get_secret_value().encode(),
            )
            app.state.settings = settings
            app.state.intake = Intake(mongo, db, vault, settings, on_commit=relay.wake)
            app.state.import_jobs = ImportJobs(
                app.state.intake, chunk_rows=settings.import_chunk_rows, stalled_after_seconds=settings.import_stalled_seconds
            )
            app.state.organising = OrganisingIntake(db, settings)
            app.state.authenticator = Authenticator(
                TokenStore(mongo[settings.auth_database]["tokens"]),
                admin_token=settings.admin_token.get_secret_value() if settings.admin_token else None,
            )
            relay_task = asyncio.create_task(relay.run(), name="outbox relay")
            app.state.relay = relay
            app.state.health = IntakeHealth(broker=broker, mongo=mongo, tasks=[relay_task])
            with refreshed_on_scrape(lambda: refresh_outbox_backlog(db)):
                yield
        finally:
            if relay_task is not None:
                relay_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await relay_task
            await broker.stop()
            await mongo.close()

    app = FastAPI(
        title="Organising recruitment",
        version="1",
        description="The intake for field reports: members, union units (PUK), violations, action plans, activities and workplaces, "
        "turned into contract events.",
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        telemetry=FASTAPI_TELEMETRY,
    )
    app.add_middleware(
        BodySizeLimit,
        default_limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_path_suffix=IMPORT_PATH,
    )
    install_error_handlers(app)
    observe_app(app, service="recruitment")
    app.include_router(health_router())
    app.include_router(metrics_router())
    app.include_router(asyncapi_router())
    app.include_router(build_router())
    app.include_router(organisers_app_router(reporting_url=settings.reporting_url))
    app.include_router(build_organising_router())
    return app


def run() -> None:
    settings = RecruitmentSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.port)


if __name__ == "__main__":
    run()
