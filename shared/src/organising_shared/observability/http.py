"""One ASGI middleware for what every HTTP request should leave behind:

- a request id: the caller's `X-Request-ID` when it is a plain token, else a new one; echoed in
  the response and put on every log line written while the request runs;
- `organising_http_request_duration_seconds` by method, route template and status: the route as
  declared (`/api/v1/members/{member_id}`), never the raw path, so that ids make no new series;
- one access log line (uvicorn's own is turned off by `service.serve`: it logs raw paths).

The server span is FastAPI's own (its built-in OpenTelemetry support, which continues the
caller's `traceparent`; configured by `observability.app.FASTAPI_TELEMETRY`): it wraps this
middleware, so the access line and every line logged during the request carry its trace id.

Latency is measured to the response's headers: the live stream (SSE) and the exports stream
their bodies for as long as they run, which would say nothing about how fast the service answers.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from prometheus_client import Histogram

from organising_shared.observability.logs import REQUEST_ID

log = logging.getLogger("organising.access")

REQUEST_SECONDS = Histogram(
    "organising_http_request_duration_seconds",
    "Time from a request's arrival to its response's headers, by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept only when it is a plain token (it goes into headers and log lines as is).
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"  # 404s for paths no route declares: one series, whatever was asked
# Probed every few seconds by orchestrators and Prometheus: their access lines are debug only.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


class ObservabilityMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", ())}
        request_id = headers.get(REQUEST_ID_HEADER, "")
        if not _ACCEPTED_REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        method = scope.get("method", "GET")
        started = time.perf_counter()
        outcome: dict[str, Any] = {}
        token = REQUEST_ID.set(request_id)

        async def send_with_request_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                outcome["seconds"] = time.perf_counter() - started
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            # An exception that escaped the app is answered 500 by Starlette, outside this middleware.
            status = outcome.get("status", 500)
            seconds = outcome.get("seconds", time.perf_counter() - started)
            route = route_template(scope)
            REQUEST_SECONDS.labels(method=method, route=route, status=str(status)).observe(seconds)
            log.log(logging.DEBUG if route in _QUIET_ROUTES else logging.INFO, "%s %s %s %.1f ms", method, route, status, seconds * 1000)
            REQUEST_ID.reset(token)


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's declared path (mounts included), or one label for no match."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE
