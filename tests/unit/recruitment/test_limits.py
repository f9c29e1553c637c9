"""The body-size limit answers 413 before the app reads an oversized body."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from recruitment.limits import BodySizeLimit


def app_with_limit() -> tuple[FastAPI, list[int]]:
    app, seen = FastAPI(), []

    @app.post("/api/v1/members")
    @app.post("/api/v1/members/import")
    async def echo(request: Request) -> dict:
        seen.append(len(await request.body()))
        return {"ok": True}

    app.add_middleware(BodySizeLimit, default_limit=100, upload_limit=1000, upload_path_suffix="/members/import")
    return app, seen


async def test_declared_and_streamed_bodies_over_the_limit_get_413():
    app, seen = app_with_limit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/api/v1/members", content=b"x" * 100)).status_code == 200
        assert (await client.post("/api/v1/members", content=b"x" * 101)).status_code == 413

        async def stream():
            for _ in range(5):
                yield b"x" * 30

        assert (await client.post("/api/v1/members", content=stream())).status_code == 413
        assert (await client.post("/api/v1/members/import", content=b"x" * 900)).status_code == 200
        assert (await client.post("/api/v1/members/import", content=b"x" * 1001)).status_code == 413
    assert seen == [100, 900]
