"""A dead letter's log line names its event; spans are exported only when an OTLP endpoint is set."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass

from organising_shared.events import EVENT_ADAPTER
from organising_shared.projections.batch import Delivered
from organising_shared.projections.processor import ExactlyOnceProjector
from organising_shared.topics import Topics
from tests.examples import member_recruited


class _Producer:
    async def publish(self, *args, **kwargs) -> None:
        return None


class _NoOffsets:
    """The offsets collection of a projection that has applied nothing yet."""

    def find(self, *args, **kwargs):
        async def nothing():
            return
            yield

        return nothing()


@dataclass
class _Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple = ()


def _projector() -> ExactlyOnceProjector:
    return ExactlyOnceProjector(
        database={"projection_offsets": _NoOffsets()},  # type: ignore[arg-type]
        name="test-projection",
        apply=lambda digested, session: None,  # type: ignore[arg-type,return-value]
        topics=Topics(),
        federations=None,
        dead_letters=_Producer(),
    )


async def test_a_poison_events_dead_letter_log_line_carries_its_event_id(caplog):
    event = EVENT_ADAPTER.validate_python(member_recruited())
    with caplog.at_level(logging.WARNING, logger="organising_shared.projections.processor"):
        await _projector().dead_letter_delivered(Delivered(event, "organising.membership.v1", 0, 7, b"k", b"{}"), "apply failed: KeyError")
    (line,) = [record for record in caplog.records if record.getMessage().startswith("dead-lettered")]
    assert line.event_id == str(event.event_id)


async def test_an_invalid_records_log_line_takes_the_event_id_header_when_there_is_one(caplog):
    with caplog.at_level(logging.WARNING, logger="organising_shared.projections.processor"):
        await _projector().prepare([_Record("organising.membership.v1", 0, 3, b"k", b"not json", (("event_id", b"e-123"),))])
    (line,) = [record for record in caplog.records if record.getMessage().startswith("dead-lettered")]
    assert line.event_id == "e-123"


def _processors_in_a_fresh_process(**environment: str) -> str:
    """install_tracing sets the process's provider once: each case runs in its own interpreter."""
    code = (
        "import sys\n"
        "from opentelemetry import trace\n"
        "from organising_shared.observability.tracing import install_tracing\n"
        "install_tracing('test')\n"
        "processors = trace.get_tracer_provider()._active_span_processor._span_processors\n"
        "print([type(p).__name__ + ':' + type(getattr(p, 'span_exporter', None)).__name__ for p in processors])\n"
        "print('otlp loaded' if 'opentelemetry.exporter.otlp.proto.http.trace_exporter' in sys.modules else 'otlp not loaded')\n"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **environment}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_without_an_endpoint_nothing_is_exported_and_the_exporter_is_not_even_loaded():
    assert _processors_in_a_fresh_process() == "[]\notlp not loaded\n"


def test_with_an_endpoint_spans_go_to_the_otlp_http_exporter():
    out = _processors_in_a_fresh_process(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318")
    assert out == "['BatchSpanProcessor:OTLPSpanExporter']\notlp loaded\n"
