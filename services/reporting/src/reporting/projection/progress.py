"""Progress events: `TargetMilestoneReached` and `SectorFallingBehind`, each exactly once.

"Once" is durable and safe with several instances: every progress event has a deterministic
`event_id` (a UUID5 of what it announces), it is published first and recorded after, so a crash
in between publishes it again with the same `event_id` (consumers drop the repeat, as the
contract asks of every event), and two instances that notice the same milestone publish the same
event. The record lives outside the projection generations, so a rebuild announces nothing again.

- A milestone (25, 50, 75, 100 %) is announced once per target value, metric and milestone:
  setting a different target for the same sector is a new target.
- Falling behind is announced when a metric goes from on track (or achieved, or never checked)
  to behind; it is announced again only after it has been back on track and dropped again.
  Time alone makes a sector fall behind, so the check also runs every `progress_check_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from organising_shared.events import (
    SectorFallingBehind,
    SectorFallingBehindEvent,
    TargetMilestoneReached,
    TargetMilestoneReachedEvent,
    to_json,
)
from organising_shared.periods import JAKARTA, Period, jakarta_today
from organising_shared.reference import MILESTONES
from organising_shared.topics import Topics
from organising_shared.waiting import stop_if_cancelled, wait_at_most
from reporting.projection.generations import current_generation
from reporting.read_model.figures import targets_report

log = logging.getLogger(__name__)

MILESTONES_SENT = "progress_milestones"
BEHIND_STATE = "progress_behind"
_NAMESPACE = uuid.UUID("0b6f3c1e-4d8a-5e7f-9a21-6c3d2e1f0a99")

Publish = Callable[[bytes, bytes], Awaitable[Any]]  # (key, value)


def progress_event_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, "|".join("" if part is None else str(part) for part in parts))


class ProgressWatcher:
    def __init__(self, database: AsyncDatabase, publish: Publish, *, confederation: str, interval: float, min_gap: float = 1.0) -> None:
        self._database = database
        # Under a flood every batch pokes; one check a second is plenty and leaves the store to the consumer.
        self._min_gap = min_gap
        self._publish = publish
        self._confederation = confederation
        self._interval = interval
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """New figures were committed: check soon (many pokes coalesce into one check)."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            stop_if_cancelled()
            await wait_at_most(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("progress check failed; will retry")
            await asyncio.sleep(self._min_gap)

    async def check(self, today: date | None = None) -> int:
        """Announce what is due for every period that has targets; returns how many events."""
        today = today or jakarta_today()
        generation = await current_generation(self._database)
        periods = await generation.targets.distinct("period")
        sent = 0
        for code in sorted(periods):
            report = await targets_report(self._database, Period.parse(code), None, today)
            for entry in report["sectors"]:
                for metric, figures in entry["metrics"].items():
                    sent += await self._milestones(code, entry["sector"], entry["federation"], metric, figures)
                    sent += await self._falling_behind(code, entry["sector"], entry["federation"], metric, figures)
        return sent

    async def _milestones(self, period: str, sector: str, federation: str | None, metric: str, figures: dict[str, Any]) -> int:
        target, actual = figures["target"], figures["actual"]
        if target <= 0:
            return 0
        reached = [m for m in MILESTONES if actual * 100 >= m * target]
        if not reached:
            return 0
        keys = {m: "|".join(map(str, (period, sector, federation or "*", metric, m, target))) for m in reached}
        done = {row["_id"] async for row in self._database[MILESTONES_SENT].find({"_id": {"$in": list(keys.values())}}, {"_id": 1})}
        sent = 0
        for milestone, key in keys.items():
            if key in done:
                continue
            # Validated from plain values (the counters' sector and metric names), like any event.
            data = TargetMilestoneReached.model_validate(
                {
                    "period": period,
                    "sector": sector,
                    "federation": federation,
                    "metric": metric,
                    "milestone": milestone,
                    "actual": actual,
                    "target": target,
                }
            )
            event = TargetMilestoneReachedEvent(
                event_id=progress_event_id("milestone", key),
                occurred_at=datetime.now(JAKARTA),
                federation=self._confederation,
                producer="reporting",
                data=data,
            )
            await self._publish(sector.encode(), to_json(event))
            try:
                await self._database[MILESTONES_SENT].insert_one({"_id": key, "event_id": str(event.event_id), "at": event.occurred_at})
            except DuplicateKeyError:
                pass  # another instance recorded the same event (same event_id) first
            sent += 1
        return sent

    async def _falling_behind(self, period: str, sector: str, federation: str | None, metric: str, figures: dict[str, Any]) -> int:
        key = "|".join((period, sector, federation or "*", metric))
        state = await self._database[BEHIND_STATE].find_one({"_id": key}) or {"status": None, "drops": 0}
        behind = figures["status"] == "behind"
        was_behind = state["status"] == "behind"
        if behind == was_behind:
            return 0
        if not behind:
            await self._database[BEHIND_STATE].update_one({"_id": key}, {"$set": {"status": figures["status"]}}, upsert=True)
            return 0
        drops = state["drops"] + 1
        data = SectorFallingBehind.model_validate(
            {
                "period": period,
                "sector": sector,
                "federation": federation,
                "metric": metric,
                "actual": figures["actual"],
                "expected_to_date": figures["expected_to_date"],
                "target": figures["target"],
            }
        )
        event = SectorFallingBehindEvent(
            event_id=progress_event_id("behind", key, drops),
            occurred_at=datetime.now(JAKARTA),
            federation=self._confederation,
            producer="reporting",
            data=data,
        )
        await self._publish(sector.encode(), to_json(event))
        try:
            # Only the instance that saw the previous state moves it on (the others sent the same event_id).
            await self._database[BEHIND_STATE].update_one(
                {"_id": key, "drops": state["drops"]}, {"$set": {"status": "behind", "drops": drops}}, upsert=True
            )
        except DuplicateKeyError:
            pass
        return 1


def broker_publisher(broker: Any, topics: Topics) -> Publish:
    async def publish(key: bytes, value: bytes) -> None:
        await broker.publish(value, topic=topics.progress, key=key)

    return publish
