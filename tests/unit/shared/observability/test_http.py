"""Every request gets a request id (the caller's, if plain, echoed back), a server span that goes
on from the caller's traceparent, and a latency sample labelled by its route template."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from organising_shared.observability.app import FASTAPI_TELEMETRY, observe_app
from organising_shared.observability.http import UNMATCHED_ROUTE
from tests.unit.shared.observability.spans import recorded_spans

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_TRACEPARENT = f"00-{CALLER_TRACE}-b7ad6b7169203331-01"


def _app() -> FastAPI:
    app = FastAPI(telemetry=FASTAPI_TELEMETRY)

    @app.get("/test-things/{thing_id}")
    async def thing(thing_id: str) -> dict:
        logging.getLogger("test.things").info("looked at a thing")
        return {"id": thing_id}

    observe_app(app, service="test")
    return app


def _count(route: str, status: str) -> float:
    return (
        REGISTRY.get_sample_value("organising_http_request_duration_seconds_count", {"method": "GET", "route": route, "status": status})
        or 0.0
    )


def test_latency_is_labelled_by_the_route_template_never_the_raw_path():
    client = TestClient(_app())
    before = _count("/test-things/{thing_id}", "200")
    assert client.get("/test-things/a1").status_code == 200
    assert client.get("/test-things/b2").status_code == 200
    assert _count("/test-things/{thing_id}", "200") == before + 2
    assert (
        REGISTRY.get_sample_value(
            "organising_http_request_duration_seconds_count", {"method": "GET", "route": "/test-things/a1", "status": "200"}
        )
        is None
    )


def test_a_path_no_route_declares_is_one_series():
    client = TestClient(_app())
    before = _count(UNMATCHED_ROUTE, "404")
    assert client.get("/no-such/path/12345").status_code == 404
    assert _count(UNMATCHED_ROUTE, "404") == before + 1


def test_the_callers_request_id_is_echoed_and_a_new_one_is_made_otherwise():
    client = TestClient(_app())
    assert client.get("/test-things/a", headers={"X-Request-ID": "req-123.abc"}).headers["x-request-id"] == "req-123.abc"
    made = client.get("/test-things/a").headers["x-request-id"]
    assert len(made) == 32
    # Not a plain token (it would go into log lines as is): replaced.
    replaced = client.get("/test-things/a", headers={"X-Request-ID": "bad id\nwith newline"}).headers["x-request-id"]
    assert replaced != "bad id\nwith newline" and len(replaced) == 32


def test_log_lines_written_during_a_request_carry_its_request_id_and_trace(caplog):
    from organising_shared.observability.logs import ContextFilter

    client = TestClient(_app())
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO, logger="test.things"):
        client.get("/test-things/a", headers={"X-Request-ID": "req-for-logs", "traceparent": CALLER_TRACEPARENT})
    line = next(record for record in caplog.records if record.getMessage() == "looked at a thing")
    assert line.request_id == "req-for-logs"
    assert line.trace_id == CALLER_TRACE


def test_the_server_span_continues_the_callers_trace_and_names_the_route():
    client = TestClient(_app())
    with recorded_spans() as spans:
        spans.clear()
        client.get("/test-things/a", headers={"traceparent": CALLER_TRACEPARENT})
        finished = spans.get_finished_spans()
    server = [span for span in finished if span.name == "GET /test-things/{thing_id}"]
    assert len(server) == 1
    assert format(server[0].context.trace_id, "032x") == CALLER_TRACE
    assert server[0].attributes["http.response.status_code"] == 200
    # FastAPI's dependency/endpoint/serialisation spans are left out (FASTAPI_TELEMETRY).
    assert [span.name for span in finished] == ["GET /test-things/{thing_id}"]
