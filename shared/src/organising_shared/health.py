"""`/healthz` (the process and its consume loops are alive) and `/readyz` (Kafka and the store
answer, and no projection has kept records waiting too long).

Each app puts a `HealthProbe` on `app.state.health` in its lifespan and includes `health_router()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

_PING_TIMEOUT = 2.0


class WatchedProjection(Protocol):
    name: str
    failure: BaseException | None
    refusal: str | None

    def stalled_seconds(self) -> float: ...


class HealthProbe:
    def __init__(self, *, broker: Any, mongo: Any, tasks: Iterable[asyncio.Task] = (), stalled_after: float = 60.0) -> None:
        self._broker = broker
        self._mongo = mongo
        self._tasks = list(tasks)
        self._projections: list[WatchedProjection] = []
        self._stalled_after = stalled_after

    def watch(self, task: asyncio.Task) -> None:
        """Also require this background task (a relay, a scheduler) to be running."""
        self._tasks.append(task)

    def watch_projection(self, projection: WatchedProjection) -> None:
        """Not alive when `projection` has stopped on a failure; not ready while its oldest
        waiting batch is older than `stalled_after` seconds (the store away, say)."""
        self._projections.append(projection)

    def projection_problems(self) -> dict[str, str]:
        """Why a projection is not ready: it refuses to consume, or records wait too long."""
        problems = {}
        for projection in self._projections:
            if projection.refusal is not None:
                problems[f"projection {projection.name}"] = f"refuses to consume: {projection.refusal}"
            elif (seconds := projection.stalled_seconds()) > self._stalled_after:
                problems[f"projection {projection.name}"] = f"no progress for {seconds:.0f} s while records wait"
        return problems

    def dead_loops(self) -> list[str]:
        dead = [task.get_name() for task in self._tasks if task.done()]
        if not self._broker.running:
            dead.append("kafka broker")
        for subscriber in self._broker.subscribers:
            if any(task.done() for task in getattr(subscriber, "tasks", ())):
                dead.append(f"subscriber {subscriber}")
        dead.extend(f"projection {projection.name}" for projection in self._projections if projection.failure is not None)
        return dead

    async def dependencies(self) -> dict[str, str]:
        kafka, store = await asyncio.gather(self._ping_kafka(), self._ping_store())
        return {"kafka": kafka, "store": store}

    async def _ping_kafka(self) -> str:
        try:
            return "ok" if await self._broker.ping(timeout=_PING_TIMEOUT) else "unreachable"
        except Exception as error:  # noqa: BLE001 - any failure is "not ready"
            return f"unreachable: {type(error).__name__}"

    async def _ping_store(self) -> str:
        try:
            async with asyncio.timeout(_PING_TIMEOUT):
                await self._mongo.admin.command("ping")
            return "ok"
        except Exception as error:  # noqa: BLE001
            return f"unreachable: {type(error).__name__}"


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process and its consume loops are alive")
    async def healthz(request: Request) -> JSONResponse:
        dead = request.app.state.health.dead_loops()
        if dead:
            return JSONResponse({"status": "failing", "stopped": dead}, status_code=503)
        return JSONResponse({"status": "ok"})

    @router.get("/readyz", summary="Kafka and the store answer; every projection consumes, none keeps records waiting too long")
    async def readyz(request: Request) -> JSONResponse:
        probe = request.app.state.health
        checks = await probe.dependencies() | probe.projection_problems()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    return router
