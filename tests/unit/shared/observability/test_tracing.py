"""Trace context through the outbox and Kafka: the traceparent of the current span is what the
outbox stores; a consumed batch's span links to the contexts its records carry."""

from __future__ import annotations

from dataclasses import dataclass

from organising_shared.observability.tracing import MAX_LINKS, batch_span, current_traceparent, record_links, span_context_of, tracer
from tests.unit.shared.observability.spans import recorded_spans


@dataclass
class _Record:
    headers: tuple


def _traceparent(trace: int, span: int = 1) -> bytes:
    return f"00-{trace:032x}-{span:016x}-01".encode()


def test_the_current_traceparent_is_the_current_spans():
    with recorded_spans(), tracer().start_as_current_span("request") as span:
        context = span.get_span_context()
        assert current_traceparent() == f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"
    assert current_traceparent() is None  # no span, nothing stored


def test_a_batch_links_to_each_distinct_context_once_and_skips_records_without_one():
    records = [
        _Record((("event_id", b"a"), ("traceparent", _traceparent(1)))),
        _Record((("traceparent", _traceparent(1)),)),  # one CSV import: one context for many events
        _Record(()),  # a federation's own client sent no header
        _Record((("traceparent", b"not a traceparent"),)),
        _Record((("traceparent", _traceparent(2)),)),
    ]
    assert [link.context.trace_id for link in record_links(records)] == [1, 2]


def test_a_batch_links_to_at_most_max_links_contexts():
    records = [_Record((("traceparent", _traceparent(n + 1)),)) for n in range(MAX_LINKS * 2)]
    assert len(record_links(records)) == MAX_LINKS


def test_the_batch_span_ends_when_the_batch_is_applied_with_its_links():
    with recorded_spans() as spans:
        traced = batch_span("reporting", [_Record((("traceparent", _traceparent(7, 9)),))])
        assert not spans.get_finished_spans()
        traced.applied(1)
        (span,) = spans.get_finished_spans()
    assert span.name == "reporting apply"
    assert [(link.context.trace_id, link.context.span_id) for link in span.links] == [(7, 9)]
    assert span.attributes["organising.events_applied"] == 1


def test_an_invalid_traceparent_gives_no_context():
    assert span_context_of("00-00000000000000000000000000000000-0000000000000000-01") is None
    assert span_context_of(None) is None
