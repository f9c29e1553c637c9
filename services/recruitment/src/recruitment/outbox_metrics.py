"""How far the outbox is behind, read when Prometheus scrapes (`observability.scrape`).

A few reads by key or index, whatever the backlog: the published position, the outbox counter,
the row at the position, the oldest numbered row after it, and the rows not numbered yet (the
relay numbers them every round, so they are few unless it is away). A count of all rows waiting
would walk the index over the whole backlog at every scrape, so what is exported is the events
waiting (numbered, from the counter, plus those not numbered) and the age of the oldest row waiting.
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
    last_published = await db[OUTBOX].find_one({"seq": published}, {"last": 1}) if published else None
    oldest_numbered = await db[OUTBOX].find_one({"seq": {"$gt": published}}, {"at": 1}, sort=[("seq", 1)])
    not_numbered = await db[OUTBOX].find({"seq": outbox.NOT_NUMBERED}, {"count": 1, "at": 1}).to_list()
    numbered = counter["value"] if counter else 0
    waiting = max(numbered - (last_published["last"] if last_published else 0), 0)
    EVENTS_WAITING.set(waiting + sum(row["count"] for row in not_numbered))
    written = [row["at"] for row in [oldest_numbered, *not_numbered] if row is not None and row.get("at") is not None]
    if not written:
        OLDEST_WAITING_SECONDS.set(0)
        return
    # PyMongo returns naive UTC unless the client is tz-aware.
    oldest = min(at if at.tzinfo else at.replace(tzinfo=UTC) for at in written)
    OLDEST_WAITING_SECONDS.set(max((datetime.now(UTC) - oldest).total_seconds(), 0.0))
