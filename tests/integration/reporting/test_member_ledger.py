"""The member ledger on the real store: instances see each other's segments, a collision on the
segment number sends the batch round again, and only committed segments are folded."""

from __future__ import annotations

import pytest

from organising_shared.mongo import make_mongo_client
from reporting.read_model.counting import MemberEntry
from reporting.read_model.ledger import LedgerMoved, MemberLedger


def recruited(event_id: str, day: str = "2026-03-14") -> MemberEntry:
    return MemberEntry(
        day=day,
        at="2026-03-14T02:30:00.000000+00:00",
        event_id=event_id,
        kind="recruited",
        sector="metal",
        region_code="32.16",
        gender="female",
        employment_status="permanent",
    )


@pytest.fixture
async def members(reporting_settings):
    mongo = make_mongo_client(reporting_settings.mongodb_url)
    database = mongo[reporting_settings.database]
    await database.create_collection("g1_members")
    yield database["g1_members"]
    await mongo.drop_database(reporting_settings.database)
    await mongo.close()


async def test_two_instances_see_each_others_members_and_never_share_a_segment_number(members):
    first, second = MemberLedger(members), MemberLedger(members)
    await first.catch_up(None)
    await second.catch_up(None)
    await first.append({"FSPMI|a": [recruited("e1")]}, None)
    first.committed()

    with pytest.raises(LedgerMoved):  # second has not seen segment 1 yet and wants the same number
        await second.append({"FSPMI|b": [recruited("e2")]}, None)
    second.discard()
    await second.catch_up(None)
    assert second.history("FSPMI|a") == [recruited("e1")]
    await second.append({"FSPMI|b": [recruited("e2")]}, None)
    second.committed()

    await first.catch_up(None)
    assert first.history("FSPMI|b") == [recruited("e2")]
    assert sorted([row["_id"] async for row in members.find({"_id": {"$ne": "head"}}, {"_id": 1})]) == [1, 2]
    assert (await members.find_one({"_id": "head"}))["segment"] == 2


async def test_a_segment_of_an_aborted_transaction_is_never_folded(members):
    ledger = MemberLedger(members)
    async with members.database.client.start_session() as session:
        await session.start_transaction()
        await ledger.append({"SPN|x": [recruited("e9")]}, session)
        await session.abort_transaction()
    ledger.discard()
    ledger.committed()  # nothing pending any more
    assert ledger.history("SPN|x") == []
    await ledger.catch_up(None)
    assert ledger.history("SPN|x") == [] and len(ledger) == 0


async def test_a_later_segment_replaces_a_members_history(members):
    writer = MemberLedger(members)
    await writer.append({"KEP|m": [recruited("e1")]}, None)
    writer.committed()
    await writer.append({"KEP|m": [recruited("e1"), recruited("e2", day="2026-04-01")]}, None)
    writer.committed()
    reader = MemberLedger(members)
    await reader.catch_up(None)
    assert reader.history("KEP|m") == [recruited("e1"), recruited("e2", day="2026-04-01")]


async def test_a_large_batch_is_split_into_segments_that_read_back_whole(members, monkeypatch):
    monkeypatch.setattr("reporting.read_model.ledger.SEGMENT_MEMBERS", 3)
    writer = MemberLedger(members)
    batch = {f"FSPMI|m{i}": [recruited(f"e{i}")] for i in range(7)}
    await writer.append(batch, None)
    writer.committed()
    assert (await members.find_one({"_id": "head"}))["segment"] == 3
    reader = MemberLedger(members)
    await reader.catch_up(None)
    assert len(reader) == 7 and all(reader.history(key) == entries for key, entries in batch.items())
