"""Sector targets (rencana aksi): one row per period, sector and federation (or the confederation).

A row comes from a `SectorTargetSet` event, whether the projection read it from the topic or the
PUT route wrote it through right after publishing it. The latest setting wins, by the event's
`occurred_at` then `event_id`, so applying the same event twice, or an older one late, changes
nothing: the write-through and the projection agree whatever order they happen in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from organising_shared.events import SectorTargetSetEvent
from reporting.read_model.counting import ALL_FEDERATIONS
from reporting.read_model.fields import TARGET_FIELDS


def target_id(period: str, sector: str, federation: str | None) -> str:
    return f"{period}|{sector}|{federation or ALL_FEDERATIONS}"


def target_row(event: SectorTargetSetEvent) -> dict[str, Any]:
    data = event.data
    return {
        "_id": target_id(data.period, str(data.sector), data.federation),
        "period": data.period,
        "sector": str(data.sector),
        "federation": data.federation,
        **{name: getattr(data, name) for name in TARGET_FIELDS},
        "set_by": data.set_by,
        # MongoDB keeps milliseconds: truncate now so a re-applied event compares equal.
        "set_at": event.occurred_at.replace(microsecond=event.occurred_at.microsecond // 1000 * 1000),
        "event_id": str(event.event_id),
    }


def _order(row: dict[str, Any]) -> tuple:
    return (row["set_at"], row["event_id"])


async def apply_target_events(collection: AsyncCollection, rows: Sequence[dict[str, Any]], session: AsyncClientSession | None) -> None:
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["_id"] not in latest or _order(row) > _order(latest[row["_id"]]):
            latest[row["_id"]] = row
    stored = {doc["_id"]: doc async for doc in collection.find({"_id": {"$in": list(latest)}}, session=session)}
    writes = [
        ReplaceOne({"_id": key}, row, upsert=True) for key, row in latest.items() if key not in stored or _order(row) > _order(stored[key])
    ]
    if writes:
        await collection.bulk_write(writes, session=session, ordered=False)
