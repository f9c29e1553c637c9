"""The intake's writes for the organising work: plan items, activities, workplaces.

Each returns a `Write` run by `Intake.execute` (one transaction with its outbox row and its
Idempotency-Key answer), like the writes in intake.py. The intake keeps its own record of what it
accepted, because the events need it later:

- a plan item's owner and sector: its progress carries neither, yet must be refused for another
  federation's item (403) and keyed by the item's sector (docs/contract.md, "Keys");
- an activity's id: an id is reported once;
- a workplace a federation registered (`<federation>|<workplace_id>`, as reporting keys them):
  an update must name one, and the same registration sent again is answered, not published twice.

Items, activities and workplaces that federation systems publish straight to Kafka are not in
these records: they cannot be progressed or updated here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.auth import Principal
from organising_shared.events import (
    ActionPlanItemAdded,
    ActionPlanItemAddedEvent,
    ActionPlanItemProgressed,
    ActionPlanItemProgressedEvent,
    ActivityHeld,
    ActivityHeldEvent,
    Envelope,
    EventData,
    WorkplaceRegistered,
    WorkplaceRegisteredEvent,
    WorkplaceUpdated,
    WorkplaceUpdatedEvent,
    new_event,
)
from organising_shared.namespaces import namespace_problem
from organising_shared.programmes import programme_problem
from organising_shared.reference import PlanItemStatus
from recruitment import outbox
from recruitment.config import RecruitmentSettings
from recruitment.errors import Conflict, Forbidden, Invalid, NotFound
from recruitment.intake import Outcome, Write
from recruitment.organising_schemas import (
    ActivityCreate,
    PlanItemCreate,
    PlanItemList,
    PlanItemProgress,
    PlanItemPublic,
    WorkplaceCreate,
    WorkplaceUpdate,
)
from recruitment.store import ACTIVITIES, PLAN_ITEMS, WORKPLACES


class OrganisingIntake:
    def __init__(self, db: AsyncDatabase, settings: RecruitmentSettings) -> None:
        self.db = db
        self._settings = settings

    def _event(self, event_type: type[Envelope], federation: str, data: EventData) -> Envelope:
        return new_event(event_type, federation=federation, producer=self._settings.producer_name, data=data)

    def _own_id(self, field: str, identifier: str | None, federation: str) -> None:
        """An id a caller chooses lies in its namespace (organising_shared.namespaces): reporting
        keys plan items and activities by id alone, so another's id would take over its record."""
        if identifier is not None and (
            problem := namespace_problem(field, identifier, federation=federation, codes=self._settings.publishers)
        ):
            raise Invalid(f"body.{field}", problem)

    def _known_programme(self, code: str | None) -> None:
        if code is not None and (problem := programme_problem(code, self._settings.programmes)):
            raise Invalid("body.programme", problem)

    @staticmethod
    def _mint(kind: str, federation: str) -> str:
        return f"{kind}-{federation.lower()}-{secrets.token_hex(6)}"

    # -- plan items ---------------------------------------------------------------------------

    def add_plan_item(self, federation: str | None, body: PlanItemCreate) -> Write:
        """`federation` None: a confederation-wide item, published under the confederation's code."""
        owner = federation or self._settings.confederation
        self._own_id("item_id", body.item_id, owner)
        self._known_programme(body.programme)

        async def write(session: AsyncClientSession) -> Outcome:
            item_id = body.item_id or self._mint("plan", owner)
            if await self.db[PLAN_ITEMS].find_one({"_id": item_id}, {"_id": 1}, session=session):
                raise Conflict("a plan item with this item_id was already added")
            data = ActionPlanItemAdded(
                item_id=item_id,
                period=body.period,
                sector=body.sector,
                federation=federation,
                kind=body.kind,
                title=body.title,
                responsible=body.responsible,
                due_on=body.due_on,
                planned_count=body.planned_count,
                programme=body.programme,
            )
            await self.db[PLAN_ITEMS].insert_one(
                {
                    "_id": item_id,
                    "owner": owner,
                    **data.model_dump(mode="json"),
                    "status": PlanItemStatus.PLANNED.value,
                    "status_changed_on": None,
                    "note": None,
                    "created_at": datetime.now(UTC),
                },
                session=session,
            )
            event = self._event(ActionPlanItemAddedEvent, owner, data)
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"item_id": item_id, "event_id": str(event.event_id)})

        return write

    def progress_plan_item(self, principal: Principal, item_id: str, body: PlanItemProgress) -> Write:
        async def write(session: AsyncClientSession) -> Outcome:
            item = await self.db[PLAN_ITEMS].find_one({"_id": item_id}, session=session)
            if item is None:
                raise NotFound("no plan item with this item_id was added here")
            if not principal.may_act_for(item["owner"]):
                raise Forbidden(f"this token may not act for {item['owner']}")
            # The latest by changed_on, then arrival (docs/contract.md): an older change, sent
            # late, is published but does not replace the status recorded here.
            last = item["status_changed_on"]
            if last is None or body.changed_on >= date.fromisoformat(last):
                await self.db[PLAN_ITEMS].update_one(
                    {"_id": item_id},
                    {"$set": {"status": body.status.value, "status_changed_on": body.changed_on.isoformat(), "note": body.note}},
                    session=session,
                )
            event = self._event(
                ActionPlanItemProgressedEvent,
                item["owner"],
                ActionPlanItemProgressed(item_id=item_id, status=body.status, changed_on=body.changed_on, note=body.note),
            )
            # Its data has no sector; the item's is its key, so one sector's plan stays in order.
            await outbox.append(self.db, session, [outbox.Outgoing(event, sector=item["sector"])])
            return Outcome(True, {"item_id": item_id, "event_id": str(event.event_id)})

        return write

    async def plan_items(
        self, owner: str | None, *, period: str | None, sector: str | None, after: str | None, limit: int
    ) -> tuple[list[PlanItemPublic], str | None]:
        """The items recorded here, by item_id; `owner` None means all (admins only)."""
        query: dict[str, Any] = {}
        if owner is not None:
            query["owner"] = owner
        if period is not None:
            query["period"] = period
        if sector is not None:
            query["sector"] = sector
        if after is not None:
            query["_id"] = {"$gt": after}
        rows = await self.db[PLAN_ITEMS].find(query, sort=[("_id", 1)], limit=limit + 1).to_list()
        items = [PlanItemPublic(**{key: row.get(key) for key in PlanItemPublic.model_fields}) for row in rows[:limit]]
        return items, (items[-1].item_id if len(rows) > limit else None)

    async def plan_item_list(self, owner: str | None, **query: Any) -> PlanItemList:
        items, next_after = await self.plan_items(owner, **query)
        return PlanItemList(items=items, next_after=next_after)

    # -- activities ---------------------------------------------------------------------------

    def report_activity(self, federation: str, body: ActivityCreate) -> Write:
        self._own_id("activity_id", body.activity_id, federation)
        self._known_programme(body.programme)

        async def write(session: AsyncClientSession) -> Outcome:
            activity_id = body.activity_id or self._mint("act", federation)
            if await self.db[ACTIVITIES].find_one({"_id": activity_id}, {"_id": 1}, session=session):
                raise Conflict("an activity with this activity_id was already reported")
            await self.db[ACTIVITIES].insert_one(
                {"_id": activity_id, "federation": federation, "created_at": datetime.now(UTC)}, session=session
            )
            event = self._event(
                ActivityHeldEvent,
                federation,
                ActivityHeld(
                    activity_id=activity_id,
                    kind=body.kind,
                    title=body.title,
                    held_on=body.held_on,
                    days=body.days,
                    sector=body.sector,
                    region_code=body.region_code,
                    participants=body.participants,
                    cadres_trained=body.cadres_trained,
                    plan_item_id=body.plan_item_id,
                    programme=body.programme,
                ),
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"activity_id": activity_id, "event_id": str(event.event_id)})

        return write

    # -- workplaces ---------------------------------------------------------------------------

    @staticmethod
    def _workplace_key(federation: str, workplace_id: str) -> str:
        return f"{federation}|{workplace_id}"

    def register_workplace(self, federation: str, body: WorkplaceCreate) -> Write:
        data = WorkplaceRegistered(**body.model_dump(exclude={"federation"}))
        fields = data.model_dump(mode="json")

        async def write(session: AsyncClientSession) -> Outcome:
            key = self._workplace_key(federation, body.workplace_id)
            existing = await self.db[WORKPLACES].find_one({"_id": key}, session=session)
            if existing is not None:
                # The same registration again (a retry without Idempotency-Key, an offline queue
                # sent twice) is answered with the first event; different fields are a change,
                # which is what an update says.
                if existing["registered"] == fields:
                    return Outcome(False, {"workplace_id": body.workplace_id, "event_id": existing["event_id"], "already_registered": True})
                raise Conflict("this workplace is already registered with other fields: send the change as an update")
            event = self._event(WorkplaceRegisteredEvent, federation, data)
            await self.db[WORKPLACES].insert_one(
                {
                    "_id": key,
                    "federation": federation,
                    "workplace_id": body.workplace_id,
                    "registered": fields,
                    "current": fields,
                    "event_id": str(event.event_id),
                    "created_at": datetime.now(UTC),
                },
                session=session,
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"workplace_id": body.workplace_id, "event_id": str(event.event_id), "already_registered": False})

        return write

    def update_workplace(self, federation: str, workplace_id: str, body: WorkplaceUpdate) -> Write:
        data = WorkplaceUpdated.model_validate({"workplace_id": workplace_id, "changed_on": body.changed_on, **body.changes()})

        async def write(session: AsyncClientSession) -> Outcome:
            key = self._workplace_key(federation, workplace_id)
            if await self.db[WORKPLACES].find_one({"_id": key}, {"_id": 1}, session=session) is None:
                raise NotFound("no workplace with this workplace_id was registered here by this federation")
            changes = data.model_dump(mode="json", include=set(body.changes()))
            await self.db[WORKPLACES].update_one(
                {"_id": key}, {"$set": {f"current.{name}": value for name, value in changes.items()}}, session=session
            )
            event = self._event(WorkplaceUpdatedEvent, federation, data)
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"workplace_id": workplace_id, "event_id": str(event.event_id)})

        return write
