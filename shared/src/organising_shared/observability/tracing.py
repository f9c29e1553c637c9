"""W3C trace context from an HTTP request through the outbox and Kafka to the projections.

- Every service process gets an OpenTelemetry SDK tracer provider (`install_tracing`), so a
  request or a batch has a real trace id, for the logs and for the `traceparent` that the
  outbox stores with a write's events, even when nothing is exported.
- Spans are exported by OTLP over http/protobuf only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
  `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporter reads the standard `OTEL_*`
  variables itself. Without one, a span costs its creation and is dropped when it ends.
- The relay sends a row's `traceparent` as a Kafka record header; a consumer's batch span links
  to the contexts of the records it holds (`batch_span`), rather than choosing one parent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Span, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
# A batch of 20,000 records links to at most this many distinct contexts (the SDK keeps 128), and
# only the first records are looked at: a batch is mostly one backlog, and the scan stays far
# below a millisecond on the projection's path.
MAX_LINKS = 64
MAX_RECORDS_SCANNED = 2000

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("organising")


def install_tracing(service_name: str) -> None:
    """Give the process an SDK tracer provider, once (the first service in a process names it)."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporting_configured():
        # Imported only here: the exporter and its protobuf code are not loaded when unused.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def exporting_configured() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def tracer() -> trace.Tracer:
    return _tracer


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, if there is a valid one."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_from_headers(headers: Any) -> Any:
    """The OpenTelemetry context a request's headers carry (an empty one when they carry none)."""
    return _PROPAGATOR.extract(headers)


_TRACEPARENT_FORM = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def span_context_of(traceparent: str | bytes | None) -> SpanContext | None:
    """The context a W3C `traceparent` names (parsed here: the propagator's extract costs ten
    times as much, and a batch may hold thousands)."""
    if not traceparent:
        return None
    value = traceparent.decode("ascii", "replace") if isinstance(traceparent, bytes) else traceparent
    match = _TRACEPARENT_FORM.fullmatch(value.strip())
    if match is None or match[1] == "ff":
        return None
    context = SpanContext(int(match[2], 16), int(match[3], 16), is_remote=True, trace_flags=TraceFlags(int(match[4], 16)))
    return context if context.is_valid else None


def record_links(records: Sequence[Any]) -> list[Link]:
    """Links to the distinct trace contexts in the records' `traceparent` headers."""
    seen: set[bytes] = set()
    links: list[Link] = []
    for record in records[:MAX_RECORDS_SCANNED]:
        value = _header(getattr(record, "headers", None), TRACEPARENT)
        if value is None or value in seen:
            continue
        seen.add(value)
        if (context := span_context_of(value)) is not None:
            links.append(Link(context))
            if len(links) >= MAX_LINKS:
                break
    return links


def _header(headers: Iterable[tuple[str, bytes]] | None, name: str) -> bytes | None:
    for key, value in headers or ():
        if key == name:
            return value
    return None


class BatchSpan:
    """One span for a consumed batch, from its receipt until it is applied (or fails)."""

    def __init__(self, projection: str, records: Sequence[Any]) -> None:
        self._span: Span = _tracer.start_span(
            f"{projection} apply",
            kind=SpanKind.CONSUMER,
            links=record_links(records),
            attributes={"messaging.system": "kafka", "messaging.batch.message_count": len(records), "organising.projection": projection},
        )

    def applied(self, events: int) -> None:
        self._span.set_attribute("organising.events_applied", events)
        self._span.end()

    def failed(self, error: BaseException) -> None:
        # The type only: an error's text can quote a record.
        self._span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        self._span.end()


def batch_span(projection: str, records: Sequence[Any]) -> BatchSpan:
    return BatchSpan(projection, records)
