"""Spans the process records, kept in memory for a test (the process's provider is global)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from organising_shared.observability.tracing import install_tracing


class _WhileActive(SpanProcessor):
    """A processor cannot be removed from a provider: this one stops keeping spans when told."""

    def __init__(self, exporter: InMemorySpanExporter) -> None:
        self.exporter = exporter
        self.active = True

    def on_end(self, span: ReadableSpan) -> None:
        if self.active:
            self.exporter.export([span])


@contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    install_tracing("test")
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    processor = _WhileActive(InMemorySpanExporter())
    provider.add_span_processor(processor)
    try:
        yield processor.exporter
    finally:
        processor.active = False
        processor.exporter.clear()
