"""What a service's app factory does to be observable: `FastAPI(telemetry=FASTAPI_TELEMETRY)`,
then `observe_app(app, service=...)` once its middleware are added."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from organising_shared.observability.http import ObservabilityMiddleware
from organising_shared.observability.tracing import install_tracing

# FastAPI's built-in OpenTelemetry support, once a tracer provider is installed: one server span
# per request, continuing the caller's traceparent. Left out: its metrics (the Prometheus
# histogram of `observability.http` is what is scraped), spans for each dependency, endpoint and
# serialisation (three more spans a request, for little), and its log records of validation
# failures and exceptions, which hold the rejected input: a member's name, phone number or NIK.
FASTAPI_TELEMETRY: Any = {"metrics": False, "operation_spans": False, "logs": False}


def observe_app(app: FastAPI, *, service: str) -> None:
    """Request ids, request latency and the access log for every request (add it last, so that
    it is the outermost middleware and sees what the others answer), and the process's tracing."""
    install_tracing(service)
    app.add_middleware(ObservabilityMiddleware)
