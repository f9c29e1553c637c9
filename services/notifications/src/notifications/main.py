"""The notifications service's app factory and entry point."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI

from notifications.alerts.evaluator import AlertEvaluator
from notifications.alerts.state import ensure_alert_indexes
from notifications.api import deliveries, subscriptions
from notifications.api.context import NotificationsContext
from notifications.channels.base import Sender
from notifications.channels.email import EmailSender
from notifications.channels.webhook import WebhookSender, make_http_client
from notifications.config import NotificationsSettings
from notifications.consumers import register_consumers
from notifications.dispatcher import Dispatcher
from notifications.domain.secrets import SecretBox
from notifications.stalled import run_stalled_checks
from notifications.store import ensure_indexes
from organising_shared.asyncapi import asyncapi_router
from organising_shared.health import health_router
from organising_shared.metrics import metrics_router
from organising_shared.observability.app import FASTAPI_TELEMETRY, observe_app
from organising_shared.periods import jakarta_today
from organising_shared.problems import PROBLEM_RESPONSES, install_problem_details
from organising_shared.service import serve, service_runtime

log = logging.getLogger(__name__)

DESCRIPTION = """
Tells federations and the confederation's organisers, by signed webhook or e-mail, when a
violation is reported (union busting is marked urgent), a case closes or stalls, a union unit
is established, or a sector reaches a milestone or falls behind its target; and, as the calendar
moves, when a plan item becomes overdue, a case nears or passes its stage's statutory deadline,
or a collective agreement (PKB) expires within 90 days.
See services/notifications/README.md for signature verification and delivery guarantees.
"""


def create_app(settings: NotificationsSettings | None = None, *, today: Callable[[], date] = jakarta_today) -> FastAPI:
    """`today` is the Jakarta day the time-based alerts are judged against (tests set their own)."""
    settings = settings or NotificationsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings, client_id="notifications") as runtime, make_http_client() as http:
            database = runtime.mongo[settings.database]
            await ensure_indexes(database)
            await ensure_alert_indexes(database)
            secrets = SecretBox(settings.secret_keys)
            if not secrets.seals:
                log.warning("ORGANISING_WEBHOOK_SECRET_KEYS is not set: webhook secrets are stored unsealed")
            senders: dict[str, Sender] = {
                "webhook": WebhookSender(
                    http, timeout=settings.delivery_attempt_timeout_seconds, allow_private=settings.allow_private_webhooks, secrets=secrets
                ),
                "email": EmailSender(settings),
            }
            dispatcher = Dispatcher(database, senders, settings)
            app.state.notifications = NotificationsContext(database=database, settings=settings, dispatcher=dispatcher, secrets=secrets)
            evaluator = AlertEvaluator(
                database, interval_seconds=settings.alert_check_interval_seconds, on_queued=dispatcher.wake, today=today
            )
            projection = register_consumers(runtime.broker, database, settings, on_queued=dispatcher.wake, on_state_changed=evaluator.wake)
            runtime.health.watch_projection(projection)
            background = [
                asyncio.create_task(dispatcher.run(), name="delivery dispatcher"),
                asyncio.create_task(
                    run_stalled_checks(
                        database,
                        stalled_days=settings.stalled_case_days,
                        interval_seconds=settings.stalled_check_interval_seconds,
                        on_raised=dispatcher.wake,
                    ),
                    name="stalled-case check",
                ),
                asyncio.create_task(evaluator.run(), name="time-based alert evaluator"),
            ]
            for task in background:
                runtime.health.watch(task)
            try:
                await runtime.broker.start()
                yield
            finally:
                await projection.close()  # before service_runtime stops the broker
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)

    app = FastAPI(
        title="Organising notifications",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        telemetry=FASTAPI_TELEMETRY,
    )
    install_problem_details(app)  # every 4xx and 5xx as RFC 9457 problem details, never the value sent
    app.include_router(health_router())
    app.include_router(metrics_router())
    app.include_router(asyncapi_router())
    app.include_router(subscriptions.router)
    app.include_router(deliveries.router)
    observe_app(app, service="notifications")
    return app


def run() -> None:
    settings = NotificationsSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.port)


if __name__ == "__main__":
    run()
