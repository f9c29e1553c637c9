"""Serve an ASGI app on a free loopback port inside a test (uvicorn in a task, lifespan included).

httpx's ASGITransport buffers whole responses, so streams (server-sent events) and browsers need
a real socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn


@contextlib.asynccontextmanager
async def serving(app: Any, *, port: int = 0) -> AsyncIterator[str]:
    """Yields the base URL, e.g. http://127.0.0.1:41234; stops the server on exit."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_config=None, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="uvicorn")
    try:
        while not server.started:
            if task.done():
                task.result()  # raises the reason it could not start
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task


def free_port() -> int:
    """A loopback port free now: for an app whose URL another app must know before it starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def figure_events(response: Any) -> AsyncIterator[dict[str, Any]]:
    """The `figures` events of an httpx streaming response, decoded."""
    name, data = "message", []
    async for line in response.aiter_lines():
        if line == "":
            if name == "figures" and data:
                yield json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
