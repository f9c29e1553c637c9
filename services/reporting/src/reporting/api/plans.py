"""GET /api/v1/plans and /api/v1/plans/{item_id}: action plan items with their status and overdue.

Scoping (docs/contract.md, v1 additions): the summary counts every item for every role (it is
the confederation's plan, like the targets). Items are listed for an admin (all), a federation
(its own and the confederation-wide ones) and never for a viewer (`items` is empty). Reading one
item: an admin any, a federation its own or a confederation-wide one (403 otherwise), a viewer none (403).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from organising_shared.auth import Principal, Role
from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import jakarta_today
from organising_shared.reference import FEDERATION_CODE_PATTERN, Sector
from reporting.api.figures import PeriodQuery, _period
from reporting.read_model import plans as P
from reporting.read_model.organising import plan_document, plan_documents

FederationQuery = Annotated[
    str | None, Query(pattern=FEDERATION_CODE_PATTERN, description="Only this federation's items", examples=["FSPMI"])
]
ItemPath = Annotated[str, Path(min_length=1, max_length=64, examples=["plan-fspmi-2026-07"])]


def readable_by(principal: Principal):
    def readable(federation: str | None) -> bool:
        return P.may_read(federation, is_admin=principal.is_admin, own=principal.federation if principal.role is Role.FEDERATION else None)

    return readable


def plans_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["plans"])

    @router.get("/plans", summary="Action plan items of a period with their status, and done/planned per sector and federation")
    async def get_plans(
        request: Request, principal: CurrentPrincipal, period: PeriodQuery, sector: Sector | None = None, federation: FederationQuery = None
    ) -> dict[str, Any]:
        period_value = _period(period)
        documents = await plan_documents(request.app.state.reporting_database, sector=sector.value if sector else None)
        return P.plans_report(
            documents,
            period_value,
            jakarta_today(),
            sector=sector.value if sector else None,
            federation=federation,
            readable=readable_by(principal),
            list_items=principal.role is not Role.VIEWER,
        )

    # `:path`: federations number their records like plan-fspmi-2026/07, and an id may hold
    # a slash (sent as %2F or as is).
    @router.get("/plans/{item_id:path}", summary="One plan item with its history of progress")
    async def get_plan_item(request: Request, principal: CurrentPrincipal, item_id: ItemPath) -> dict[str, Any]:
        if principal.role is Role.VIEWER:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a viewer reads plan figures only, not single items")
        document = await plan_document(request.app.state.reporting_database, item_id)
        if document is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such plan item")
        if not readable_by(principal)(document["state"]["federation"]):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this plan item belongs to another federation")
        return P.detail_view(document, jakarta_today())

    return router
