"""`/healthz` (the process and its consume loops are alive) and `/readyz` (Kafka and the store answer).

Each app puts a `HealthProbe` on `app.state.health` in its lifespan and includes `health_router()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

_PING_TIMEOUT = 2.0


class HealthProbe:
    def __init__(self, *, broker: Any, mongo: Any, tasks: Iterable[asyncio.Task] = ()) -> None:
        self._broker = broker
        self._mongo = mongo
        self._tasks = list(tasks)

    def watch(self, task: asyncio.Task) -> None:
        """Also require this background task (a relay, a scheduler) to be running."""
        self._tasks.append(task)

    def dead_loops(self) -> list[str]:
        dead = [task.get_name() for task in self._tasks if task.done()]
        if not self._broker.running:
            dead.append("kafka broker")
        for subscriber in self._broker.subscribers:
            if any(task.done() for task in getattr(subscriber, "tasks", ())):
                dead.append(f"subscriber {subscriber}")
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

    @router.get("/readyz", summary="Kafka and the store answer")
    async def readyz(request: Request) -> JSONResponse:
        checks = await request.app.state.health.dependencies()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    return router
