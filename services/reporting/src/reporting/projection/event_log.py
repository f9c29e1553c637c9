"""Every accepted event, stored once by its `event_id`: an audit copy beside the projections.

Written after the projection's transaction commits, outside it, with duplicates ignored: the
projections do their own deduplication from their entity documents, and Kafka (kept forever) is
the record. A crash between the commit and this write leaves an event out of this copy only.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from organising_shared.mongo import only_duplicate_keys
from organising_shared.projections import Delivered

EVENTS = "events"


async def record_events(database: AsyncDatabase, delivered: Sequence[Delivered]) -> None:
    documents = {
        str(item.event.event_id): {
            "_id": str(item.event.event_id),
            **item.event.model_dump(mode="json", exclude={"event_id"}),
            "source": {"topic": item.topic, "partition": item.partition, "offset": item.offset},
        }
        for item in delivered
    }
    if not documents:
        return
    try:
        await database[EVENTS].insert_many(list(documents.values()), ordered=False)
    except BulkWriteError as error:
        # A redelivered or re-sent event is already there; anything else is a real failure.
        if not only_duplicate_keys(error):
            raise
