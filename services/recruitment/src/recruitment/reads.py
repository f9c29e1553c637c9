"""Reading back what a federation has reported: its events and its members, paged, no personal data."""

from __future__ import annotations

import json
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from recruitment import outbox
from recruitment.schemas import EventPage, MemberPage, MemberPublic, ReportedEvent
from recruitment.store import MEMBERS, OUTBOX

_NUMBER_AT_MOST = 1000


async def events_page(db: AsyncDatabase, federation: str | None, *, after: int, limit: int) -> EventPage:
    """Events with a sequence above `after`, oldest first; `federation` None means all (admins only)."""
    scope: dict[str, Any] = {} if federation is None else {"federation": federation}
    # Rows not numbered yet (the relay numbers them within milliseconds) are numbered now, so a
    # federation reads its own writes at once; numbering is safe beside the relay's (outbox.py).
    await outbox.number_waiting(db, most_rows=_NUMBER_AT_MOST)
    published = await outbox.published_up_to(db)
    # The row holding `after` may hold later events too (an import chunk is one row).
    holding = (
        await db[OUTBOX].find_one({**scope, "seq": {"$gt": 0, "$lte": after}, "last": {"$gt": after}}, sort=[("seq", -1)])
        if after
        else None
    )
    rows = [holding] if holding else []
    items: list[ReportedEvent] = []
    cursor = db[OUTBOX].find({**scope, "seq": {"$gt": after}}, sort=[("seq", 1)], batch_size=16)
    try:
        while True:
            for row in rows:
                for index, entry in enumerate(row["events"]):
                    sequence = row["seq"] + index
                    if sequence > after:
                        items.append(ReportedEvent(sequence=sequence, published=row["seq"] <= published, event=json.loads(entry["value"])))
            if len(items) > limit:
                break
            row = await anext(cursor, None)
            if row is None:
                break
            rows = [row]
    finally:
        await cursor.close()
    more = len(items) > limit
    items = items[:limit]
    return EventPage(items=items, next_after=items[-1].sequence if more else None)


async def members_page(db: AsyncDatabase, federation: str | None, *, after: str | None, limit: int) -> MemberPage:
    query: dict[str, Any] = {}
    if federation is not None:
        query["federation"] = federation
    if after is not None:
        query["_id"] = {"$gt": after}
    # The projection keeps the sealed personal data out of this process's memory, not just the answer.
    rows = await db[MEMBERS].find(query, {"sealed": 0, "nik_claim": 0, "import_row": 0}, sort=[("_id", 1)], limit=limit + 1).to_list()
    items = [MemberPublic(**{key: row.get(key) for key in MemberPublic.model_fields}) for row in rows[:limit]]
    return MemberPage(items=items, next_after=items[-1].member_ref if len(rows) > limit else None)
