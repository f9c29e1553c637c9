"""The reporting service's app factory and entry point."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from organising_shared.asyncapi import asyncapi_router
from organising_shared.health import health_router
from organising_shared.heap import collect_every, rare_collections
from organising_shared.metrics import metrics_router
from organising_shared.observability.app import FASTAPI_TELEMETRY, observe_app
from organising_shared.problems import PROBLEM_RESPONSES, install_problem_details
from organising_shared.service import serve, service_runtime
from reporting.api.activities import activities_router
from reporting.api.cache import SharedFigures
from reporting.api.cases import cases_router
from reporting.api.dashboard import dashboard_router
from reporting.api.exports import export_router
from reporting.api.figures import reporting_router
from reporting.api.live import live_router
from reporting.api.pace import pace_router
from reporting.api.plans import plans_router
from reporting.api.programmes import programmes_router
from reporting.api.workplaces import workplaces_router
from reporting.config import ReportingSettings
from reporting.projection.consumers import register_consumers
from reporting.projection.generations import ensure_current_generation
from reporting.projection.progress import ProgressWatcher, broker_publisher

# A read route asks the token store once per token per this many seconds. A token revoked from
# another process (the `organising-tokens` CLI) keeps working on this instance that long at most;
# one revoked in this process stops at once (organising_shared.auth.dependencies.Authenticator).
REMEMBER_TOKEN_HOLDERS_SECONDS = 2.0
# Cached figures (reporting.api.cache): recomputed at least this often even without a change signal,
# and an answer this old at most is served while its recomputation runs.
FIGURES_MAX_AGE = 0.5
FIGURES_SERVE_STALE_FOR = 2.0
# The cyclic garbage collector passes once this many new container objects have outlived their
# use (organising_shared.heap): the two batches alive at once (one applied, the next decoded; at
# most 20,000 records each, about 240,000 objects each), freed as a whole, never add up to it.
# With the default thresholds the projection spent about a quarter of its time in the collector
# (measured by `python -m bench projection`; its latest figures are in services/reporting/README.md).
COLLECT_AFTER_OBJECTS = 1_000_000
# ...and a full pass this often, so that cycles do not pile up between the rare passes
# (organising_shared.heap.collect_every): a few ms with no batch alive, about 1 % of the time at
# most while two large batches are.
COLLECT_EVERY_SECONDS = 10.0


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    """The app; other parts add their routers after `reporting_router()`.

    The lifespan puts on `app.state`: `reporting_settings`, `reporting_database` (the service's
    AsyncDatabase; projections are read through `generations.current_generation`), `broker`,
    `progress` (the ProgressWatcher) and `shared_figures` (the cache of GET /api/v1/targets).
    """
    settings = settings or ReportingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings, client_id="reporting") as runtime:
            database = runtime.mongo[settings.database]
            await ensure_current_generation(database)
            progress = ProgressWatcher(
                database,
                broker_publisher(runtime.broker, settings.topics),
                confederation=settings.confederation,
                interval=settings.progress_check_seconds,
            )
            app.state.reporting_settings = settings
            app.state.reporting_database = database
            app.state.broker = runtime.broker
            app.state.progress = progress
            # Answers are recomputed when this instance commits a batch (below) or the store's
            # change stream shows any instance's write (reporting.api.live), and at least every
            # FIGURES_MAX_AGE seconds, with the previous answer served meanwhile.
            app.state.shared_figures = SharedFigures(max_age=FIGURES_MAX_AGE, serve_stale_for=FIGURES_SERVE_STALE_FOR)
            app.state.authenticator = app.state.authenticator.remembering(REMEMBER_TOKEN_HOLDERS_SECONDS)

            async def after_commit(delivered) -> None:
                # In process, at once: this instance's own commit need not come back through
                # the change stream (which other instances' commits still do) to be seen.
                app.state.shared_figures.changed()
                if (live := getattr(app.state, "live_figures", None)) is not None:
                    live.changed()
                if settings.progress_events:
                    progress.poke()

            projection = register_consumers(runtime.broker, database, settings, after_commit=after_commit)
            runtime.health.watch_projection(projection)
            await runtime.broker.start()
            watcher = asyncio.create_task(progress.run(), name="progress-watcher") if settings.progress_events else None
            collector = asyncio.create_task(collect_every(COLLECT_EVERY_SECONDS), name="garbage-collector")
            try:
                with rare_collections(COLLECT_AFTER_OBJECTS):
                    yield
            finally:
                collector.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await collector
                await projection.close()  # before service_runtime stops the broker
                if watcher is not None:
                    watcher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watcher

    app = FastAPI(title="Organising reporting", version="1", lifespan=lifespan, responses=PROBLEM_RESPONSES, telemetry=FASTAPI_TELEMETRY)
    install_problem_details(app)  # every 4xx and 5xx as RFC 9457 problem details, never the value sent
    if settings.cors_origins:
        # The organisers' app reads cases and sets targets from recruitment's origin. Bearer tokens,
        # not cookies: no credentials mode, so another site gains nothing a token would not give it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "PUT"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.include_router(health_router())
    app.include_router(metrics_router())
    app.include_router(asyncapi_router())
    app.include_router(reporting_router())
    app.include_router(pace_router())
    app.include_router(live_router())
    app.include_router(dashboard_router())
    app.include_router(export_router())
    app.include_router(plans_router())
    app.include_router(activities_router())
    app.include_router(programmes_router())
    app.include_router(workplaces_router())
    app.include_router(cases_router())  # after reporting_router: /violations/summary is matched first
    observe_app(app, service="reporting")
    return app


def run() -> None:
    settings = ReportingSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.port)


if __name__ == "__main__":
    run()
