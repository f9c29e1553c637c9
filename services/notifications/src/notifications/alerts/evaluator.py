"""The periodic evaluator of the time-based alerts: what crossed a threshold by today.

Items become overdue when the calendar moves, not when an event arrives, so this runs at start,
every `alert_check_interval_seconds` (15 minutes) and soon after each batch of relevant events.

Exactly one alert, whatever runs it: each alert has a deterministic key (domain/alerts.py) and
its deliveries deterministic ids (`<subscription>:<uuid5(key)>`, inserted if absent), and a key
is remembered in `alerts_raised` once its deliveries are queued. Two replicas racing, a restart
between the two writes or a replay of the topics queue nothing twice; a subscription created
after an alert was raised does not receive it (as with events before it existed).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from prometheus_client import Counter, Gauge
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notifications.alerts.state import CASES, PLAN_ITEMS, RAISED, WORKPLACES
from notifications.domain import alerts
from notifications.domain.folds import case_now, plan_item_now, workplace_now
from notifications.domain.matching import matching
from notifications.domain.notices import Notice
from notifications.store import DELIVERIES, SUBSCRIPTIONS, new_delivery_op
from organising_shared.periods import jakarta_today

log = logging.getLogger(__name__)

EVALUATIONS = Counter("organising_alert_evaluations", "Runs of the time-based alert evaluator by outcome (ok, failed)", ["outcome"])
ALERTS_RAISED = Counter(
    "organising_alerts_raised",
    "Time-based alerts raised (each once) by rule: PlanItemOverdue, CaseDeadlineNear, CaseDeadlinePassed, CbaExpiring",
    ["rule"],
)
ALERT_DELIVERIES_QUEUED = Counter("organising_alert_deliveries_queued", "Deliveries queued for time-based alerts", ["rule"])
LAST_SUCCESS = Gauge(
    "organising_alert_evaluation_last_success_timestamp_seconds",
    "Unix time of the evaluator's last complete run (alert when time() minus this exceeds a few intervals)",
)
LAST_SUCCESS_AGE = Gauge(
    "organising_alert_evaluation_last_success_age_seconds",
    "Seconds since the evaluator's last complete run (since start when none has completed)",
)


@dataclass(frozen=True)
class Evaluation:
    raised: int  # alerts raised for the first time
    queued: int  # deliveries queued for them


async def evaluate_alerts(database: AsyncDatabase, *, today: date, now: datetime) -> Evaluation:
    """Raise every alert that has crossed its threshold by `today` and was never raised before."""
    candidates = [candidate async for candidate in _candidates(database, today=today, now=now)]
    if not candidates:
        return Evaluation(0, 0)
    known = {row["_id"] async for row in database[RAISED].find({"_id": {"$in": [alert.key for alert, _ in candidates]}}, {"_id": 1})}
    fresh = [(alert, build) for alert, build in candidates if alert.key not in known]
    if not fresh:
        return Evaluation(0, 0)
    subscriptions = await database[SUBSCRIPTIONS].find({"paused": False}).to_list()
    raised = queued = 0
    for alert, build in fresh:
        notice = build()
        operations = [new_delivery_op(subscription, notice, now) for subscription in matching(subscriptions, notice)]
        if operations:
            await database[DELIVERIES].bulk_write(operations, ordered=False)
        # Remembered after the deliveries are queued: a crash in between queues them again, and
        # their ids make that a no-op.
        try:
            await database[RAISED].insert_one({"_id": alert.key, "rule": alert.rule.value, "notice_id": alert.notice_id, "raised_at": now})
        except DuplicateKeyError:
            continue  # another replica raised it at the same moment
        raised += 1
        queued += len(operations)
        ALERTS_RAISED.labels(alert.rule.value).inc()
        ALERT_DELIVERIES_QUEUED.labels(alert.rule.value).inc(len(operations))
    return Evaluation(raised, queued)


async def _candidates(database: AsyncDatabase, *, today: date, now: datetime) -> AsyncIterator[tuple[alerts.Alert, Callable[[], Notice]]]:
    """(alert, notice builder) for everything past a threshold today, raised before or not."""
    async for row in database[PLAN_ITEMS].find({"open": True, "due_on": {"$lt": today.isoformat()}}):
        item = plan_item_now(row)
        alert = alerts.plan_item_alert(item, today) if item else None
        if item and alert:
            yield alert, _bind(alerts.plan_item_notice, alert, item, today, now)
    async for row in database[CASES].find({"open": True, "deadline": {"$ne": None, "$lte": alerts.case_horizon(today).isoformat()}}):
        case = case_now(row)
        alert = alerts.case_alert(case, today) if case else None
        if case and alert:
            yield alert, _bind(alerts.case_notice, alert, case, today, now)
    query = {"cba_in_force": True, "cba_expires_on": {"$ne": None, "$lte": alerts.cba_horizon(today).isoformat()}}
    async for row in database[WORKPLACES].find(query):
        workplace = workplace_now(row)
        alert = alerts.workplace_alert(workplace, today)
        if alert:
            yield alert, _bind(alerts.workplace_notice, alert, workplace, today, now)


def _bind(build: Callable[..., Notice], alert: alerts.Alert, subject: Any, today: date, now: datetime) -> Callable[[], Notice]:
    return lambda: build(alert, subject, today=today, now=now)


class AlertEvaluator:
    """Runs `evaluate_alerts` at start, every interval, and soon after `wake()` (relevant events)."""

    def __init__(
        self,
        database: AsyncDatabase,
        *,
        interval_seconds: float,
        on_queued: Callable[[], None],
        today: Callable[[], date] = jakarta_today,
    ) -> None:
        self._database = database
        self._interval = interval_seconds
        self._on_queued = on_queued
        self._today = today
        self._wake = asyncio.Event()
        self._last_success = time.time()  # the age counts from start until a run completes
        LAST_SUCCESS_AGE.set_function(lambda: time.time() - self._last_success)

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> Evaluation:
        try:
            result = await evaluate_alerts(self._database, today=self._today(), now=datetime.now(UTC))
        except Exception:
            EVALUATIONS.labels("failed").inc()
            raise
        EVALUATIONS.labels("ok").inc()
        self._last_success = time.time()
        LAST_SUCCESS.set(self._last_success)
        if result.queued:
            self._on_queued()
        if result.raised:
            log.info("%d time-based alert(s) raised, %d deliveries queued", result.raised, result.queued)
        return result

    async def run(self) -> None:
        """Forever. A failed run is logged and tried again at the next wake or interval."""
        while True:
            self._wake.clear()  # events arriving during the run wake the next one
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the store may be away; the next run catches up
                log.warning("alert evaluation failed (%s: %s)", type(error).__name__, error)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
            except TimeoutError:
                pass
