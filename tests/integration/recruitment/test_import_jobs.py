"""A CSV import in the background (Prefer: respond-async): 202 at once, progress readable while it
runs, the same report as a synchronous upload once it completed, each row's event once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from recruitment.main import create_app
from recruitment.store import MEMBERS
from tests.integration.helpers import eventually
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_drained, published
from tests.integration.recruitment.test_csv_import import spreadsheet

pytestmark = pytest.mark.integration

ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def small_chunks(recruitment_settings):
    # Many chunks, so that the import is seen part-way.
    return recruitment_settings.model_copy(update={"import_chunk_rows": 100})


@pytest.fixture
async def client(small_chunks) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(small_chunks)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://recruitment") as http:
            yield http


async def test_a_background_import_shows_its_progress_and_ends_with_the_report(client, tokens, db, small_chunks):
    content, bad = spreadsheet(3_000, 30, seed=11)
    auth = Tokens.header(tokens.fspmi)
    started = await client.post("/api/v1/members/import", files={"file": ("a.csv", content, "text/csv")}, headers={**auth, **ASYNC})
    assert started.status_code == 202
    body = started.json()
    assert body["state"] == "running" and started.headers["location"] == body["status_url"]

    seen: list[dict] = []

    async def completed() -> dict | None:
        status = (await client.get(body["status_url"], headers=auth)).json()
        seen.append(status)
        return status if status["state"] == "completed" else None

    final = await eventually(completed, timeout=240, interval=0.02, what="the import completed")
    part_way = [s for s in seen if s["state"] == "running" and s["rows"] and 0 < s["rows_done"] < s["rows"]]
    assert part_way, "no status read while the import was part-way"
    assert all(s["registered"] + s["already_registered"] + s["rejected_count"] == s["rows_done"] for s in part_way)
    done = [s["rows_done"] for s in seen]
    assert done == sorted(done), "progress went backwards"
    assert (final["rows"], final["rows_done"], final["registered"], final["rejected_count"]) == (3_000, 3_000, 2_970, 30)
    assert {item["line"] for item in final["report"]["rejected"]} == set(bad)
    assert await db[MEMBERS].count_documents({}) == 2_970

    # Read by another federation: 403; an id never issued: 404.
    assert (await client.get(body["status_url"], headers=Tokens.header(tokens.spn))).status_code == 403
    assert (await client.get("/api/v1/members/imports/imp_" + "0" * 24, headers=auth)).status_code == 404

    await outbox_drained(db, expected=2_970, timeout=120)
    events = await published(small_chunks, small_chunks.topics.membership, expected=2_970, timeout=60)
    assert len({str(event.event_id) for _, event in events}) == len(events) == 2_970


async def test_a_background_import_with_an_idempotency_key_starts_once(client, tokens, db):
    content, _ = spreadsheet(300, 0, seed=5)
    headers = {**Tokens.header(tokens.fspmi), **ASYNC, "Idempotency-Key": "bg-upload"}
    answers = await asyncio.gather(
        *(client.post("/api/v1/members/import", files={"file": ("a.csv", content, "text/csv")}, headers=headers) for _ in range(3))
    )
    assert {answer.status_code for answer in answers} == {202}
    assert len({answer.json()["import_id"] for answer in answers}) == 1
    url = answers[0].json()["status_url"]

    async def completed() -> bool:
        return (await client.get(url, headers=Tokens.header(tokens.fspmi))).json()["state"] == "completed"

    await eventually(completed, timeout=120, what="the import completed")
    assert await db[MEMBERS].count_documents({}) == 300


async def test_a_bad_header_is_refused_before_anything_starts(client, tokens, db):
    response = await client.post(
        "/api/v1/members/import",
        files={"file": ("a.csv", "sector,nama\nmetal,Siti\n", "text/csv")},
        headers={**Tokens.header(tokens.fspmi), **ASYNC},
    )
    assert response.status_code == 422
    assert "Siti" not in response.text
    assert await db["import_jobs"].count_documents({}) == 0
