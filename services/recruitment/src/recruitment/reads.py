"""Reading back what a federation has reported: its events and its members, paged, no personal data."""

from __future__ import annotations

import json
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from recruitment.schemas import EventPage, MemberPage, MemberPublic, ReportedEvent
from recruitment.store import MEMBERS, OUTBOX


async def events_page(db: AsyncDatabase, federation: str | None, *, after: int, limit: int) -> EventPage:
    """`federation` None means every federation (admins only; the API decides)."""
    query: dict[str, Any] = {"_id": {"$gt": after}}
    if federation is not None:
        query["federation"] = federation
    rows = await db[OUTBOX].find(query, sort=[("_id", 1)], limit=limit + 1).to_list()
    items = [ReportedEvent(sequence=row["_id"], published=row["sent_at"] is not None, event=json.loads(row["value"])) for row in rows[:limit]]
    return EventPage(items=items, next_after=items[-1].sequence if len(rows) > limit else None)


async def members_page(db: AsyncDatabase, federation: str | None, *, after: str | None, limit: int) -> MemberPage:
    query: dict[str, Any] = {}
    if federation is not None:
        query["federation"] = federation
    if after is not None:
        query["member_ref"] = {"$gt": after}
    # The projection keeps the sealed personal data out of this process's memory, not just the answer.
    rows = await db[MEMBERS].find(query, {"sealed": 0}, sort=[("member_ref", 1)], limit=limit + 1).to_list()
    items = [MemberPublic(**{key: row.get(key) for key in MemberPublic.model_fields}) for row in rows[:limit]]
    return MemberPage(items=items, next_after=items[-1].member_ref if len(rows) > limit else None)
