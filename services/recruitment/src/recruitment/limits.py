"""413 for a body over its limit, whether its Content-Length says so or it is streamed in chunks.

The limit is enforced before anything is parsed or written: a refused request writes nothing.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from organising_shared.problems import MEDIA_TYPE, ProblemError, problem_type


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, default_limit: int, upload_limit: int, upload_path_suffix: str) -> None:
        self._app = app
        self._default = default_limit
        self._upload = upload_limit
        self._upload_suffix = upload_path_suffix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = self._upload if scope["path"].rstrip("/").endswith(self._upload_suffix) else self._default
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0
        response_started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if response_started:
                raise
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    # Outside the app (before any route runs), so the problem is written here, in the same shape.
    problem = ProblemError(413, f"the request body is larger than {limit} bytes")
    body = json.dumps({"type": problem_type(problem.slug), "title": problem.title, "status": 413, "detail": problem.detail}).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
