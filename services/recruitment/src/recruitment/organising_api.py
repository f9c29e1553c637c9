"""HTTP intake for the organising work under /api/v1 (docs/contract.md, "v1 additions"):
plan items, activities, workplaces, and the reference data the organisers' app offers.

Thin routes like api.py's, with its tokens, federation scoping, Idempotency-Key and answers:
every write goes through `Intake.execute` (one transaction with its outbox row).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from organising_shared.auth import Principal
from organising_shared.auth.dependencies import WriterPrincipal
from organising_shared.events import PeriodCode
from organising_shared.reference import Sector
from recruitment.api import _REFUSALS, FederationQuery, IdempotencyKey, IntakeDep, SettingsDep, acting_federation, answer, idempotency_scope
from recruitment.config import RecruitmentSettings
from recruitment.organising import OrganisingIntake
from recruitment.organising_schemas import (
    ActivityCreate,
    ActivityWritten,
    PlanItemCreate,
    PlanItemList,
    PlanItemProgress,
    PlanItemWritten,
    ReferenceData,
    ShortId,
    WorkplaceCreate,
    WorkplaceUpdate,
    WorkplaceUpdateWritten,
    WorkplaceWritten,
)
from recruitment.reference_data import reference_data
from recruitment.schemas import Identifier

# Ids the federations choose may hold a slash: the routes take them with `{…:path}` (see api.py).
ItemIdPath = Annotated[ShortId, Path(description="The plan item's id, as returned when it was added")]
WorkplaceIdPath = Annotated[Identifier, Path(description="The federation's id of the workplace, as registered")]


def get_organising(request: Request) -> OrganisingIntake:
    return request.app.state.organising


OrganisingDep = Annotated[OrganisingIntake, Depends(get_organising)]


def plan_owner(principal: Principal, requested: str | None, settings: RecruitmentSettings) -> str | None:
    """The federation whose plan an item is; None (confederation-wide) only when an admin names none."""
    if requested is None and principal.is_admin:
        return None
    return acting_federation(principal, requested, settings)


def build_organising_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=_REFUSALS)

    @router.post(
        "/plan-items",
        status_code=status.HTTP_201_CREATED,
        response_model=PlanItemWritten,
        tags=["action plans"],
        summary="Add an action plan item",
        description="An admin who names no federation adds a confederation-wide item (published under the confederation's code).",
    )
    async def add_plan_item(
        body: PlanItemCreate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        organising: OrganisingDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        owner = plan_owner(principal, body.federation, settings)
        return await answer(intake, organising.add_plan_item(owner, body), idempotency_scope(intake, principal, key, request, body))

    @router.post(
        "/plan-items/{item_id:path}/progress",
        status_code=status.HTTP_201_CREATED,
        response_model=PlanItemWritten,
        tags=["action plans"],
        summary="Record a plan item's progress",
        responses={404: {"description": "No plan item with this id was added here"}},
    )
    async def progress_plan_item(
        item_id: ItemIdPath,
        body: PlanItemProgress,
        principal: WriterPrincipal,
        intake: IntakeDep,
        organising: OrganisingDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        write = organising.progress_plan_item(principal, item_id, body)
        return await answer(intake, write, idempotency_scope(intake, principal, key, request, body))

    @router.get(
        "/plan-items",
        response_model=PlanItemList,
        tags=["action plans"],
        summary="The federation's plan items as added here, with their latest status",
        description="A federation token reads its own; an admin reads one federation's (`federation`) or, naming none, every item "
        "added here, confederation-wide ones included. `period` matches the items' own period exactly.",
    )
    async def list_plan_items(
        principal: WriterPrincipal,
        organising: OrganisingDep,
        settings: SettingsDep,
        federation: FederationQuery = None,
        period: Annotated[PeriodCode | None, Query(description="The items' period, e.g. `2026`")] = None,
        sector: Annotated[Sector | None, Query()] = None,
        after: Annotated[str | None, Query(max_length=64, description="`next_after` of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> Any:
        owner = None if principal.is_admin and federation is None else acting_federation(principal, federation, settings)
        return await organising.plan_item_list(owner, period=period, sector=sector.value if sector else None, after=after, limit=limit)

    @router.post(
        "/activities",
        status_code=status.HTTP_201_CREATED,
        response_model=ActivityWritten,
        tags=["activities"],
        summary="Report an activity held",
    )
    async def report_activity(
        body: ActivityCreate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        organising: OrganisingDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        federation = acting_federation(principal, body.federation, settings)
        return await answer(intake, organising.report_activity(federation, body), idempotency_scope(intake, principal, key, request, body))

    @router.post(
        "/workplaces",
        status_code=status.HTTP_201_CREATED,
        response_model=WorkplaceWritten,
        tags=["workplaces"],
        summary="Register a workplace being organised",
        responses={
            200: {"model": WorkplaceWritten, "description": "Registered before with the same fields: the first event_id, no new event"},
            409: {"description": "Registered before with other fields: send the change as an update"},
        },
    )
    async def register_workplace(
        body: WorkplaceCreate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        organising: OrganisingDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        federation = acting_federation(principal, body.federation, settings)
        return await answer(
            intake, organising.register_workplace(federation, body), idempotency_scope(intake, principal, key, request, body)
        )

    @router.post(
        "/workplaces/{workplace_id:path}/updates",
        status_code=status.HTTP_201_CREATED,
        response_model=WorkplaceUpdateWritten,
        tags=["workplaces"],
        summary="Record a change at a registered workplace",
        responses={404: {"description": "This federation registered no workplace with this id here"}},
    )
    async def update_workplace(
        workplace_id: WorkplaceIdPath,
        body: WorkplaceUpdate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        organising: OrganisingDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        federation = acting_federation(principal, body.federation, settings)
        write = organising.update_workplace(federation, workplace_id, body)
        return await answer(intake, write, idempotency_scope(intake, principal, key, request, body))

    @router.get(
        "/reference",
        response_model=ReferenceData,
        tags=["reference data"],
        summary="Codes and their labels (Bahasa Indonesia and English) for forms",
        description="Public: no token needed; nothing in it is a federation's.",
    )
    async def reference(settings: SettingsDep) -> Any:
        return reference_data(settings)

    return router
