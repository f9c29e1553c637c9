"""Every filter the dispatcher sends is served by an index on the real store.

The store scans the whole collection for a filter no index covers exactly, and the delivery log
only grows: a claim or a record that scans it slows with every delivered row (the soak's
notifications lag). This pins the plans, not the timings.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifications.dispatcher import claim_filter, due_filters, held_filter
from notifications.store import DELIVERIES, DeliveryStatus, ensure_indexes
from organising_shared.mongo import make_mongo_client

pytestmark = pytest.mark.integration


def stages(plan: dict) -> list[str]:
    found = [plan.get("stage", "")]
    for key in ("inputStage", "queryPlan"):
        if isinstance(plan.get(key), dict):
            found += stages(plan[key])
    for child in plan.get("inputStages", []):
        found += stages(child)
    return found


async def test_each_claim_read_and_write_filter_uses_an_index(isolated_settings, namespace):
    mongo = make_mongo_client(isolated_settings.mongodb_url)
    database = mongo[f"{namespace}_notifications"]
    try:
        await ensure_indexes(database)
        await database[DELIVERIES].insert_one(
            {"_id": "s:e", "status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": datetime.now(UTC)}
        )
        filters = [
            *due_filters(datetime.now(UTC)),
            claim_filter(DeliveryStatus.PENDING, 0, ["s:e", "s:f"]),
            claim_filter(DeliveryStatus.SENDING, 3, ["s:e"]),
            held_filter({"_id": "s:e", "attempts": 2}),
            {"_id": "s:e"},  # a success is recorded by key
        ]
        for query in filters:
            explained = await database.command("explain", {"find": DELIVERIES, "filter": query})
            plan = stages(explained["queryPlanner"]["winningPlan"])
            assert "COLLSCAN" not in plan and plan != [""], (query, plan)
    finally:
        await mongo.drop_database(database.name)
        await mongo.close()
