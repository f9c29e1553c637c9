"""JSON log lines carry the ids that tie them to a request, a trace and an event, and never an
exception's message (it could quote a member's data)."""

from __future__ import annotations

import json
import logging

import pytest

from organising_shared.observability.logs import REQUEST_ID, ContextFilter, JsonFormatter, TextFormatter, event_fields, formatter_for
from organising_shared.observability.tracing import install_tracing, tracer


def _record(message: str = "applied %d events", args: tuple = (3,), exc_info=None, **extra) -> logging.LogRecord:
    record = logging.LogRecord("organising.test", logging.WARNING, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    ContextFilter().filter(record)
    return record


def test_a_json_line_has_the_request_id_trace_id_and_event_id():
    install_tracing("test")
    token = REQUEST_ID.set("req-42")
    try:
        with tracer().start_as_current_span("work") as span:
            line = json.loads(JsonFormatter().format(_record(**event_fields("2f1c6b1e-0000-4000-8000-000000000001"))))
            trace_id = format(span.get_span_context().trace_id, "032x")
    finally:
        REQUEST_ID.reset(token)
    assert line["message"] == "applied 3 events"
    assert line["level"] == "WARNING" and line["logger"] == "organising.test"
    assert line["request_id"] == "req-42"
    assert line["trace_id"] == trace_id
    assert line["event_id"] == "2f1c6b1e-0000-4000-8000-000000000001"


def test_ids_that_do_not_apply_are_left_out():
    line = json.loads(JsonFormatter().format(_record()))
    assert not {"request_id", "trace_id", "event_id"} & set(line)


def test_an_exception_keeps_its_type_and_frames_but_not_its_message():
    quoted = "full_name='Siti Rahayu Wulandari' nik=3216012345670001"  # (frames show source lines: code, not data)
    try:
        raise ValueError(quoted)
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    for formatter in (JsonFormatter(), TextFormatter()):
        text = formatter.format(_record("delivery failed", (), exc_info=exc_info))
        assert "ValueError" in text and "test_logs.py" in text
        assert "Siti" not in text and "3216012345670001" not in text


def test_the_text_format_appends_the_ids_that_apply():
    text = TextFormatter().format(_record(**event_fields("e-1")))
    assert text.endswith("organising.test: applied 3 events [event_id=e-1]")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="json or text"):
        formatter_for("xml")
