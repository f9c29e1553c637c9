"""How far the outbox is behind, read when Prometheus scrapes (`observability.scrape`).

Three reads by key or index, whatever the backlog: the published position, the outbox counter
and the oldest row after the position. A count of rows waiting would walk the index over the
whole backlog at every scrape, so what is exported is the events waiting (from the counter)
and the age of the oldest row waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Gauge
from pymongo.asynchronous.database import AsyncDatabase

from recruitment import outbox
from recruitment.store import COUNTERS, OUTBOX

EVENTS_WAITING = Gauge("organising_outbox_events_waiting", "Events written to the outbox and not yet acknowledged by Kafka")
OLDEST_WAITING_SECONDS = Gauge(
    "organising_outbox_oldest_waiting_seconds",
    "Age of the oldest outbox row not yet published (0 when none waits, or the row predates the `at` field)",
)


async def refresh_outbox_backlog(db: AsyncDatabase) -> None:
    published = await outbox.published_up_to(db)
    counter = await db[COUNTERS].find_one({"_id": outbox.COUNTER_ID})
    last_published = await db[OUTBOX].find_one({"_id": published}, {"last": 1}) if published else None
    oldest = await db[OUTBOX].find_one({"seq": {"$gt": published}}, {"at": 1}, sort=[("seq", 1)])
    written = counter["value"] if counter else 0
    EVENTS_WAITING.set(max(written - (last_published["last"] if last_published else 0), 0))
    written_at = oldest.get("at") if oldest else None
    if written_at is None:
        OLDEST_WAITING_SECONDS.set(0)
    else:
        if written_at.tzinfo is None:  # PyMongo returns naive UTC unless the client is tz-aware
            written_at = written_at.replace(tzinfo=UTC)
        OLDEST_WAITING_SECONDS.set(max((datetime.now(UTC) - written_at).total_seconds(), 0.0))
