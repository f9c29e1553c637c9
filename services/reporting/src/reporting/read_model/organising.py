"""Reading the plan item and activity projections of the current generation."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import Period
from reporting.projection.generations import current_generation


async def plan_documents(database: AsyncDatabase, *, sector: str | None = None) -> list[dict[str, Any]]:
    """Every plan item (of one sector when given) whose `ActionPlanItemAdded` has arrived."""
    generation = await current_generation(database)
    query: dict[str, Any] = {"state": {"$ne": None}}
    if sector is not None:
        query["state.sector"] = sector
    return [row async for row in generation.plan_items.find(query)]


async def plan_document(database: AsyncDatabase, item_id: str) -> dict[str, Any] | None:
    generation = await current_generation(database)
    row = await generation.plan_items.find_one({"_id": item_id})
    return row if row and row.get("state") else None


async def activities_in(database: AsyncDatabase, period: Period) -> list[dict[str, Any]]:
    """Each activity held in `period`, as its `state` (see `activities.derive`) with its id."""
    generation = await current_generation(database)
    query = {"held_on": {"$gte": period.start.isoformat(), "$lte": period.end.isoformat()}}
    return [{"activity_id": row["_id"], **row["state"]} async for row in generation.activities.find(query, {"state": 1})]
