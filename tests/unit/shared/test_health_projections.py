"""Liveness and readiness see a projection: not ready while its oldest batch has waited too
long (the store away, say), not alive once it has stopped on a failure it could not isolate;
the stall time is also a metric."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from organising_shared.health import HealthProbe, health_router
from organising_shared.metrics import metrics_router, watch_projection


class _Broker:
    running = True
    subscribers: tuple = ()

    async def ping(self, timeout: float) -> bool:
        return True


class _Admin:
    async def command(self, name: str) -> dict:
        return {"ok": 1}


class _Mongo:
    admin = _Admin()


class _Projection:
    def __init__(self, name: str, stalled: float = 0.0) -> None:
        self.name = name
        self.stalled = stalled
        self.failure: BaseException | None = None
        self.refusal: str | None = None

    def stalled_seconds(self) -> float:
        return self.stalled


def _client(projection: _Projection) -> TestClient:
    app = FastAPI()
    app.state.health = HealthProbe(broker=_Broker(), mongo=_Mongo(), stalled_after=30)
    app.state.health.watch_projection(projection)
    app.include_router(health_router())
    app.include_router(metrics_router())
    return TestClient(app)


def test_a_projection_keeping_records_waiting_too_long_is_not_ready():
    projection = _Projection("reporting-test-ready", stalled=5)
    client = _client(projection)
    assert client.get("/readyz").status_code == 200
    projection.stalled = 31
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["projection reporting-test-ready"] == "no progress for 31 s while records wait"
    assert client.get("/healthz").status_code == 200  # waiting for the store is not a reason to restart


def test_a_projection_stopped_on_a_failure_is_not_alive():
    projection = _Projection("reporting-test-alive")
    client = _client(projection)
    projection.failure = RuntimeError("a defect")
    answer = client.get("/healthz")
    assert answer.status_code == 503 and "projection reporting-test-alive" in answer.json()["stopped"]


def test_the_stall_time_is_exported():
    projection = _Projection("reporting-test-metric", stalled=12.5)
    watch_projection(projection)
    assert REGISTRY.get_sample_value("organising_projection_stalled_seconds", {"projection": "reporting-test-metric"}) == 12.5
    text = _client(projection).get("/metrics").text
    assert 'organising_projection_stalled_seconds{projection="reporting-test-metric"} 12.5' in text


def test_a_projection_refusing_to_consume_is_not_ready_and_says_why():
    projection = _Projection("reporting-test-refusing")
    watch_projection(projection)
    client = _client(projection)
    projection.refusal = "t[0] ends at offset 3, but this projection has applied it up to offset 9"
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "refuses to consume: t[0] ends at offset 3" in answer.json()["projection reporting-test-refusing"]
    assert 'organising_projection_refusing{projection="reporting-test-refusing"} 1.0' in client.get("/metrics").text
