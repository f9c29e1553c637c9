"""The periodic "case stalled" check.

An open case whose last activity (report, stage change) is `stalled_case_days` or more days old
in Asia/Jakarta raises one notice. The notice's id is derived from the case and its last
activity day, so running the check twice, or on two instances, queues nothing twice; a case that
moves and stalls again raises a new one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from notifications.domain.matching import matching
from notifications.domain.notices import CaseInfo, stalled_notice
from notifications.store import CASES, DELIVERIES, SUBSCRIPTIONS, new_delivery_op
from organising_shared.periods import jakarta_today

log = logging.getLogger(__name__)


async def raise_stalled_notices(database: AsyncDatabase, *, stalled_days: int, today: date, now: datetime) -> int:
    """Queue a notice for every newly stalled case; returns how many cases were newly stalled."""
    cutoff = (today - timedelta(days=stalled_days)).isoformat()
    subscriptions = await database[SUBSCRIPTIONS].find({"paused": False}).to_list()
    raised = 0
    async for row in database[CASES].find({"open": True, "last_activity_on": {"$lte": cutoff}}):
        if row.get("stall_noticed_for") == row["last_activity_on"]:
            continue
        case = CaseInfo(case_key=row["_id"], **{key: value for key, value in row.items() if key in CaseInfo.model_fields})
        notice = stalled_notice(case, today=today, now=now)
        operations = [new_delivery_op(subscription, notice, now) for subscription in matching(subscriptions, notice)]
        if operations:
            await database[DELIVERIES].bulk_write(operations, ordered=False)
        # Marked after the deliveries are queued: a crash in between queues them again, harmlessly.
        await database[CASES].update_one({"_id": row["_id"]}, {"$set": {"stall_noticed_for": row["last_activity_on"]}})
        raised += 1
    return raised


async def run_stalled_checks(
    database: AsyncDatabase,
    *,
    stalled_days: int,
    interval_seconds: float,
    on_raised: Callable[[], None],
    today: Callable[[], date] = jakarta_today,
) -> None:
    """Forever: check, then wait for the next check. A failed check is logged and tried next time."""
    while True:
        try:
            raised = await raise_stalled_notices(database, stalled_days=stalled_days, today=today(), now=datetime.now(UTC))
            if raised:
                log.info("%d case(s) newly stalled", raised)
                on_raised()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the store may be away; the next run catches up
            log.warning("stalled-case check failed (%s: %s)", type(error).__name__, error)
        await asyncio.sleep(interval_seconds)
