"""From consumed events to queued deliveries, in the projector's transaction.

Per batch: remember case activity (for descriptions and the stalled-case check), turn events
into notices, and insert one delivery row per matching subscription. The projector commits these
writes with the Kafka offsets in one transaction, then commits the offsets to Kafka: an event is
never lost between Kafka and the queue, and a redelivered one queues nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from notifications.domain.matching import matching
from notifications.domain.notices import CaseInfo, case_key, notice_for
from notifications.store import CASES, DELIVERIES, SUBSCRIPTIONS, new_delivery_op
from organising_shared.events import Event
from organising_shared.projections import Delivered


async def queue_deliveries(database: AsyncDatabase, delivered: Sequence[Delivered], session: AsyncClientSession) -> int:
    now = datetime.now(UTC)
    subscriptions = await database[SUBSCRIPTIONS].find({"paused": False}, session=session).to_list()
    operations: list[Any] = []
    for item in delivered:
        case = await record_case_activity(database, item.event, session)
        notice = notice_for(item.event, case)
        if notice is not None:
            operations.extend(new_delivery_op(subscription, notice, now) for subscription in matching(subscriptions, notice))
    if operations:
        await database[DELIVERIES].bulk_write(operations, session=session, ordered=False)
    return len(operations)


async def record_case_activity(database: AsyncDatabase, event: Event, session: AsyncClientSession) -> CaseInfo | None:
    """Update what is known of the event's case; returns the case as it was before a closure."""
    cases = database[CASES]
    data: Any = event.data
    if event.event_type == "ViolationReported":
        key = case_key(event.federation, data.case_id)
        row = await cases.find_one_and_update(
            {"_id": key},
            {
                "$setOnInsert": {
                    "case_id": data.case_id,
                    "federation": event.federation,
                    "sector": data.sector,
                    "category": data.category,
                    "region_code": data.region_code,
                    "workers_affected": data.workers_affected,
                    "stage": None,
                    "open": True,
                },
                "$max": {"last_activity_on": data.reported_on.isoformat()},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return _case_info(row)
    if event.event_type == "ViolationCaseProgressed":
        row = await cases.find_one_and_update(
            {"_id": case_key(event.federation, data.case_id)},
            {"$set": {"stage": data.stage}, "$max": {"last_activity_on": data.changed_on.isoformat()}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return _case_info(row)
    if event.event_type == "ViolationCaseClosed":
        row = await cases.find_one_and_update(
            {"_id": case_key(event.federation, data.case_id)},
            {"$set": {"open": False, "closed_on": data.closed_on.isoformat()}},
            return_document=ReturnDocument.BEFORE,
            session=session,
        )
        return _case_info(row)
    return None


def _case_info(row: dict[str, Any] | None) -> CaseInfo | None:
    if row is None:
        return None
    return CaseInfo(case_key=row["_id"], **{key: value for key, value in row.items() if key in CaseInfo.model_fields})
