"""Group commit (recruitment.group_commit): concurrent writes share transactions, yet each keeps
its own answer, idempotency record and event, and one write's failure fails no other. Also across
two replicas (two apps) on one store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY

from recruitment import group_commit
from recruitment.main import create_app
from recruitment.outbox import all_published
from recruitment.store import CASES, IDEMPOTENCY, MEMBERS, NIK_CLAIMS, OUTBOX
from tests.integration.helpers import eventually
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_drained, outbox_events, published

pytestmark = pytest.mark.integration


@pytest.fixture
async def replica(recruitment_settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second recruitment app on the same store and database: another replica."""
    app = create_app(recruitment_settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://replica") as http:
            yield http


def _grouped_writes() -> float:
    """Writes committed so far in groups of more than one (the histogram's count above bucket 1)."""
    total = REGISTRY.get_sample_value("organising_intake_group_writes_count") or 0.0
    alone = REGISTRY.get_sample_value("organising_intake_group_writes_bucket", {"le": "1.0"}) or 0.0
    return total - alone


async def _assert_outbox_numbered_without_gaps(db) -> None:
    """Once the relay has numbered every row: each event one number, none twice, none skipped."""
    await eventually(lambda: all_published(db), what="every outbox row numbered and published")
    rows = [row async for row in db[OUTBOX].find({}, {"seq": 1, "last": 1, "events": 1}, sort=[("seq", 1)])]
    expected = 1
    for row in rows:
        assert row["seq"] == expected
        assert row["last"] == expected + len(row["events"]) - 1
        expected = row["last"] + 1


async def test_concurrent_writes_share_transactions_and_each_gets_its_own_answer_and_event(client, tokens, recruitment_settings, db):
    auth = Tokens.header(tokens.fspmi)
    grouped_before = _grouped_writes()
    bodies = [payloads.member(workplace_id=f"wp-group-{i % 4}") for i in range(40)]
    answers = await asyncio.gather(*(client.post("/api/v1/members", json=body, headers=auth) for body in bodies))
    assert [answer.status_code for answer in answers] == [201] * 40
    assert len({answer.json()["member_ref"] for answer in answers}) == 40
    assert _grouped_writes() > grouped_before, "no two concurrent writes shared a transaction"
    assert await db[MEMBERS].count_documents({}) == 40
    await _assert_outbox_numbered_without_gaps(db)
    assert await db[OUTBOX].count_documents({}) < 40, "a group's writes of one federation share one outbox row"
    await outbox_drained(db, expected=40)
    on_kafka = await published(recruitment_settings, recruitment_settings.topics.membership, expected=40)
    assert sorted(str(event.event_id) for _, event in on_kafka) == sorted(answer.json()["event_id"] for answer in answers)
    # Per workplace, Kafka has the events in outbox order.
    order = {event_id: position async for position, event_id in _outbox_order(db)}
    by_key: dict[bytes, list[int]] = {}
    for record, event in sorted(on_kafka, key=lambda pair: (pair[0].partition, pair[0].offset)):
        by_key.setdefault(record.key, []).append(order[str(event.event_id)])
    assert all(positions == sorted(positions) for positions in by_key.values())


async def _outbox_order(db):
    position = 0
    async for row in db[OUTBOX].find({}, sort=[("seq", 1)]):
        for entry in row["events"]:
            yield position, entry["event_id"]
            position += 1


@pytest.mark.parametrize("bulk_write_most", [500, 0], ids=["one bulk write", "insert_many per collection"])
async def test_one_refused_or_duplicate_write_does_not_fail_the_others_in_its_group(client, tokens, db, monkeypatch, bulk_write_most):
    # Both ways a group's inserts go to the store (group_commit._Inserts.flush) must charge a
    # duplicate to the write whose document it was.
    monkeypatch.setattr(group_commit, "_BULK_WRITE_MOST", bulk_write_most)
    auth = Tokens.header(tokens.fspmi)
    case = (await client.post("/api/v1/violations", json=payloads.violation(), headers=auth)).json()
    taken = payloads.member()
    assert (await client.post("/api/v1/members", json=taken, headers=auth)).status_code == 201
    twice = payloads.member()
    requests = [
        *(client.post("/api/v1/members", json=payloads.member(), headers=auth) for _ in range(10)),
        client.post(
            "/api/v1/members/m_0123456789abcdef0123456789abcdef/leave", json={"reason": "resigned", "left_on": "2026-04-01"}, headers=auth
        ),
        client.post("/api/v1/violations", json=payloads.violation(case_id=case["case_id"]), headers=auth),
        client.post("/api/v1/members", json=taken, headers=auth),  # a NIK registered before
        client.post("/api/v1/members", json=twice, headers=auth),  # the same NIK twice in one burst
        client.post("/api/v1/members", json=twice, headers=auth),
        *(client.post("/api/v1/members", json=payloads.member(), headers=auth) for _ in range(10)),
    ]
    answers = await asyncio.gather(*requests)
    codes = [answer.status_code for answer in answers]
    assert codes[:10] == [201] * 10 and codes[15:] == [201] * 10
    assert codes[10:13] == [404, 409, 200]
    assert sorted(codes[13:15]) == [200, 201]
    assert answers[12].json()["already_registered"] is True
    # 1 case + 1 member before, then 20 + one of the pair.
    assert await outbox_events(db) == 2 + 21
    assert await db[MEMBERS].count_documents({}) == 1 + 21
    assert await db[CASES].count_documents({}) == 1
    await _assert_outbox_numbered_without_gaps(db)


async def test_the_same_idempotency_key_at_once_writes_one_member(client, tokens, db):
    headers = {**Tokens.header(tokens.fspmi), "Idempotency-Key": "burst-member"}
    body = payloads.member()
    answers = await asyncio.gather(*(client.post("/api/v1/members", json=body, headers=headers) for _ in range(8)))
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["event_id"] for answer in answers}) == 1
    assert await db[MEMBERS].count_documents({}) == 1
    assert await db[IDEMPOTENCY].count_documents({}) == 1
    assert await outbox_events(db) == 1


async def test_two_replicas_on_one_store_register_each_nik_once_and_publish_each_event_once(
    client, replica, tokens, recruitment_settings, db
):
    auth = Tokens.header(tokens.fspmi)
    shared = [payloads.member() for _ in range(6)]  # each sent to both replicas at once
    own = [payloads.member() for _ in range(20)]
    keyed = payloads.member()
    key = {**auth, "Idempotency-Key": "both-replicas"}
    requests = [
        *(http.post("/api/v1/members", json=body, headers=auth) for body in shared for http in (client, replica)),
        *((client, replica)[i % 2].post("/api/v1/members", json=body, headers=auth) for i, body in enumerate(own)),
        client.post("/api/v1/members", json=keyed, headers=key),
        replica.post("/api/v1/members", json=keyed, headers=key),
    ]
    answers = await asyncio.gather(*requests)
    pairs = [answers[i : i + 2] for i in range(0, 12, 2)]
    for pair in pairs:
        assert sorted(answer.status_code for answer in pair) == [200, 201]
        assert pair[0].json()["member_ref"] == pair[1].json()["member_ref"]
    assert [answer.status_code for answer in answers[12:32]] == [201] * 20
    assert answers[32].status_code == answers[33].status_code == 201
    assert answers[32].json() == answers[33].json()
    assert await db[MEMBERS].count_documents({}) == 6 + 20 + 1
    assert await db[NIK_CLAIMS].count_documents({}) == 6 + 20 + 1
    await _assert_outbox_numbered_without_gaps(db)
    await outbox_drained(db, expected=27)
    written = sorted({answer.json()["event_id"] for answer in answers if answer.status_code == 201})
    on_kafka = await published(recruitment_settings, recruitment_settings.topics.membership, expected=27)
    assert sorted(str(event.event_id) for _, event in on_kafka) == written
