"""Log lines as JSON (the default) or text, carrying the ids that tie a line to a request, a
trace and an event: `request_id` (set by the HTTP middleware), `trace_id`/`span_id` (of the
current OpenTelemetry span) and `event_id` (given by the caller: `extra=event_fields(...)`).

Log lines carry ids and counts, never a member's data (names, phone numbers, NIK): a logged
exception keeps its type and stack frames but not its message, which could quote a value.
"""

from __future__ import annotations

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

REQUEST_ID: ContextVar[str | None] = ContextVar("organising_request_id", default=None)

# Attributes a log call may add with `extra=` that are written out (any other extra is not:
# a stray extra must not carry a record's content into the logs).
CONTEXT_FIELDS = ("request_id", "trace_id", "span_id", "event_id", "delivery_id")


def event_fields(event_id: Any) -> dict[str, str]:
    """`extra=` for a log call about one event."""
    return {"event_id": str(event_id)} if event_id is not None else {}


class ContextFilter(logging.Filter):
    """Adds the request id and the current trace to every record that passes a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        context = trace.get_current_span().get_span_context()
        if context.is_valid and getattr(record, "trace_id", None) is None:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return True


def _context(record: logging.LogRecord) -> dict[str, str]:
    return {name: value for name in CONTEXT_FIELDS if (value := getattr(record, name, None)) is not None}


def _exception_without_message(exc_info: Any) -> str:
    error_type, _error, stack = exc_info
    return "".join(traceback.format_tb(stack)) + (error_type.__name__ if error_type else "")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        if record.exc_info:
            line["exception"] = _exception_without_message(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, with the ids that apply appended (for reading in a terminal)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        if record.exc_info:
            record.exc_text = _exception_without_message(record.exc_info)
            record.exc_info = None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
        ids = " ".join(f"{name}={value}" for name, value in _context(record).items() if name != "span_id")
        return f"{text} [{ids}]" if ids else text


def formatter_for(name: str) -> logging.Formatter:
    if name == "json":
        return JsonFormatter()
    if name == "text":
        return TextFormatter()
    raise ValueError(f"ORGANISING_LOG_FORMAT must be json or text, not {name!r}")
