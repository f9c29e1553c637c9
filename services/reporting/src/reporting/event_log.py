"""Every accepted event, stored once by its `event_id`: the raw material of every projection."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.projection import Delivered

EVENTS = "events"


async def record_events(database: AsyncDatabase, delivered: Sequence[Delivered], session: AsyncClientSession) -> None:
    # $setOnInsert: the same event_id arriving again (a federation's retry) changes nothing.
    await database[EVENTS].bulk_write(
        [
            UpdateOne(
                {"_id": str(item.event.event_id)},
                {
                    "$setOnInsert": {
                        **item.event.model_dump(mode="json", exclude={"event_id"}),
                        "source": {"topic": item.topic, "partition": item.partition, "offset": item.offset},
                    }
                },
                upsert=True,
            )
            for item in delivered
        ],
        session=session,
        ordered=False,
    )
