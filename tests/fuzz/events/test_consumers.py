"""Generated records on the topics reporting and notifications consume, against the real broker
and store: every record is applied or dead-lettered with a reason, neither consumer stops, a
valid event published last is counted within a deadline, and reporting's live figures equal a
rebuild from the topics."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from notifications.config import NotificationsSettings
from notifications.main import create_app as create_notifications_app
from organising_shared.decoding import Rejection, decode_event
from organising_shared.mongo import make_mongo_client
from organising_shared.periods import jakarta_today
from organising_shared.projections import OFFSETS_COLLECTION
from reporting.config import ReportingSettings
from reporting.main import create_app as create_reporting_app
from reporting.projection.rebuild import rebuild
from tests.fuzz.budget import RECORDS
from tests.fuzz.events.batch import batch
from tests.fuzz.events.kafka_io import Published, publish, read_dead_letters
from tests.fuzz.events.leaks import leaked_into
from tests.fuzz.events.mutations import as_record_on_its_topic
from tests.integration.helpers import eventually
from tests.integration.reporting.support import applied_offsets, counters

pytestmark = [pytest.mark.integration, pytest.mark.fuzz]

# Generous for a loaded CI machine (it costs nothing when all is well: the wait ends as soon as the
# sentinel is applied, in seconds); a
# consumer stuck retrying one record never gets there.
DEADLINE_SECONDS = 120


async def test_every_generated_record_is_applied_or_dead_lettered_and_the_consumers_keep_going(isolated_settings, namespace):
    reporting = ReportingSettings(
        **isolated_settings.model_dump(),
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
        progress_events=False,  # no progress records of its own onto notifications' topics
    )
    notifications = NotificationsSettings(
        **isolated_settings.model_dump(), database=f"{namespace}_notifications", consumer_group=f"{namespace}-notifications"
    )
    records = batch(RECORDS)
    sentinel = as_record_on_its_topic(_sentinel_event())
    async with (
        _running(create_reporting_app(reporting)) as reporting_http,
        _running(create_notifications_app(notifications)) as notifications_http,
    ):
        published = await publish(reporting.kafka_bootstrap_servers, reporting.topic_prefix, [*records, sentinel])
        last = published[-1]
        for settings, name in ((reporting, "reporting"), (notifications, "notifications")):
            await eventually(
                lambda settings=settings, name=name: _applied_up_to(settings, name, last),
                timeout=DEADLINE_SECONDS,
                interval=0.5,
                what=f"{name} applying the valid event published after {len(records)} generated records",
            )
        for http in (reporting_http, notifications_http):
            health = await http.get("/healthz")
            assert health.status_code == 200, f"a consume loop died: {health.text}"
        live = await counters(reporting)
    letters = await read_dead_letters(reporting.kafka_bootstrap_servers, reporting.topics.deadletter)
    for settings, consumer, topics in (
        (
            reporting,
            "reporting",
            (
                reporting.topics.membership,
                reporting.topics.violations,
                reporting.topics.targets,
                reporting.topics.plans,
                reporting.topics.activities,
                reporting.topics.workplaces,
            ),
        ),
        (
            notifications,
            "notifications",
            (
                notifications.topics.membership,
                notifications.topics.violations,
                notifications.topics.progress,
                notifications.topics.plans,
                notifications.topics.workplaces,
            ),
        ),
    ):
        consumed = [item for item in published if item.topic in topics]
        # Every record of these topics came from this test: each was applied or dead-lettered.
        assert await applied_positions(settings, consumer) == len(consumed), f"{consumer} did not get through every record"
        _check_dead_letters(settings, consumer, consumed, [letter for letter in letters if letter.consumer == consumer])
    rebuilt = await rebuild(reporting)
    assert _figures(await counters(reporting, rebuilt.generation)) == _figures(live), "live figures differ from a rebuild from the topics"


def _figures(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Counter documents with a figure in them. A cell that a late event moved back to zero
    (reporting README: "the projection applies the difference") keeps an all-zero document in
    the live generation, where a rebuild that saw both events in one batch writes none: the
    same figures, stored differently (`counters` leaves only the cell's names in such a one)."""
    return {key: row for key, row in rows.items() if any(not isinstance(value, str) for value in row.values())}


def _sentinel_event() -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "MemberRecruited",
        "schema_version": 1,
        "occurred_at": "2026-01-02T09:30:00+07:00",
        "federation": "FSPMI",
        "producer": "fuzz-sentinel",
        "data": {
            "member_ref": f"m-sentinel-{uuid.uuid4().hex[:8]}",
            "sector": "metal",
            "workplace_id": "wp-sentinel",
            "region_code": "32.16",
            "employment_status": "permanent",
            "gender": "female",
            "recruited_on": jakarta_today().isoformat(),
        },
    }


def _check_dead_letters(settings: Any, consumer: str, consumed: list[Published], letters: list[Any]) -> None:
    """Exactly the records `decode_event` refuses are dead-lettered (at least once each), each
    with a reason that repeats nothing the record held; no valid record is."""
    refused = {
        item.position: item
        for item in consumed
        if isinstance(decode_event(item.record.value, federations=settings.publishers, topic=item.record.topic), Rejection)
    }
    lettered = {(letter.topic, letter.partition, letter.offset): letter for letter in letters}
    missing = sorted(set(refused) - set(lettered))
    assert not missing, (
        f"{consumer}: {len(missing)} refused records were not dead-lettered: {[refused[p].record.mutation for p in missing][:10]}"
    )
    unexpected = sorted(set(lettered) - set(refused))
    assert not unexpected, f"{consumer}: valid records were dead-lettered: {[lettered[p].reason for p in unexpected][:5]}"
    for position, letter in lettered.items():
        record = refused[position].record
        assert letter.reason.strip(), f"{consumer}: a dead letter without a reason ({record.mutation})"
        assert letter.original_value == record.value, f"{consumer}: the dead letter does not keep the original bytes"
        leaked = leaked_into(letter.reason, record.document)
        assert not leaked, f"{consumer}: the reason {letter.reason!r} repeats {leaked} ({record.mutation})"


async def _applied_up_to(settings: Any, consumer: str, item: Published) -> bool:
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        query = {"topic": item.topic, "partition": item.partition, "projection": _PROJECTIONS[consumer]}
        row = await mongo[settings.database][OFFSETS_COLLECTION].find_one(query)
        # Stored in the transaction that applied the batch: applied here means counted.
        return row is not None and row["offset"] >= item.offset
    finally:
        await mongo.close()


# The names offsets are stored under: reporting's carries its generation (`reporting.g1`).
_PROJECTIONS = {"reporting": {"$regex": r"^reporting\."}, "notifications": "notifications"}


async def applied_positions(settings: Any, consumer: str) -> int:
    if consumer == "reporting":
        return await applied_offsets(settings)
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        rows = mongo[settings.database][OFFSETS_COLLECTION].find({"projection": "notifications"})
        return sum([row["offset"] + 1 async for row in rows])
    finally:
        await mongo.close()


@contextlib.asynccontextmanager
async def _running(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client,
    ):
        yield client
