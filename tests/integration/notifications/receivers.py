"""Real receivers on loopback for the notifications tests: an HTTP server (uvicorn), a TCP
server that answers garbage, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    arrived_at: float  # time.time() when the whole request had arrived
    status: int | None = None

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers by path: /ok/… 200; /fail/… 500; /flaky/<n>/… 500 n times then 200;
    /hang/… nothing for 30 s; /answer-then/… the first time, a 200 status line and part of the
    body, then calls `on_partial_answer` and never finishes (200 at once afterwards)."""

    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    on_partial_answer: Callable[[], Any] | None = None
    _seen: Counter = field(default_factory=Counter)
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def at(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]

    def url(self, path: str) -> str:
        return self.base_url + path

    async def __call__(self, scope, receive, send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        request = Received(scope["path"], headers, body, time.time())
        self.requests.append(request)
        self._seen[request.path] += 1
        kind, _, rest = request.path.strip("/").partition("/")
        if kind == "hang":
            try:
                await asyncio.wait_for(self._release.wait(), 30)
            except TimeoutError:
                pass
            request.status = 200
        elif kind == "answer-then" and self._seen[request.path] == 1:
            request.status = 200
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
            await send({"type": "http.response.body", "body": b"x" * 10, "more_body": True})
            if self.on_partial_answer:
                self.on_partial_answer()
            await self._release.wait()
            return
        elif kind == "fail":
            request.status = 500
        elif kind == "flaky":
            failures = int(rest.split("/", 1)[0])
            request.status = 500 if self._seen[request.path] <= failures else 200
        else:
            request.status = 200
        await send({"type": "http.response.start", "status": request.status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok" if request.status == 200 else b"nope"})


class EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):
        yield  # pytest keeps its own SIGINT/SIGTERM handling


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    config = uvicorn.Config(receiver, host="127.0.0.1", port=0, lifespan="off", log_level="warning", timeout_graceful_shutdown=1)
    server = EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    receiver.base_url = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        receiver._release.set()
        server.should_exit = True
        await task


@asynccontextmanager
async def garbage_server() -> AsyncIterator[str]:
    """Accepts a connection, reads the request, answers bytes that are not HTTP, and hangs up."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"\x00\xff\xfeTHIS IS NOT HTTP\r\n\r\n\x01\x02")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.close()
        await server.wait_closed()


class MailBox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(
            {"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "message": message_from_bytes(envelope.content, policy=default)}
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def smtp_server() -> AsyncIterator[tuple[MailBox, int]]:
    mailbox = MailBox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        yield mailbox, port
    finally:
        await asyncio.to_thread(controller.stop)
