"""GET /api/v1/workplaces and /api/v1/workplaces/{federation}/{workplace_id}: the register of
workplaces being organised, union density and PKB status (`read_model.density`).

Scoping (docs/contract.md, v1 additions): density and PKB counts are aggregates, for every role
(cells of 1-4 active members null for all but admin). The list holds the workplaces the token may
read: all for an admin, its own for a federation, none for a viewer (`workplaces` is empty).
Reading one workplace: an admin any, a federation its own (403 otherwise), a viewer none (403).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from organising_shared.auth import Principal, Role
from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import jakarta_today
from organising_shared.reference import FEDERATION_CODE_PATTERN, Sector
from reporting.read_model import workplaces as W
from reporting.read_model.density import registered_workplaces, workplace_document, workplace_item, workplaces_report

FederationQuery = Annotated[
    str | None, Query(pattern=FEDERATION_CODE_PATTERN, description="Only this federation's workplaces", examples=["FSPMI"])
]
FederationPath = Annotated[str, Path(pattern=FEDERATION_CODE_PATTERN, examples=["FSPMI"])]
WorkplacePath = Annotated[str, Path(min_length=1, max_length=128, examples=["wp-bekasi-0042"])]


def may_read_record(principal: Principal, federation: str) -> bool:
    """A record (a workplace, a case) of `federation`: admins any, a federation its own, viewers none."""
    return principal.is_admin or (principal.role is Role.FEDERATION and principal.federation == federation)


def workplaces_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["workplaces"])

    @router.get("/workplaces", summary="Registered workplaces, union density by workplace, sector and federation, PKB status")
    async def get_workplaces(
        request: Request, principal: CurrentPrincipal, sector: Sector | None = None, federation: FederationQuery = None
    ) -> dict[str, Any]:
        documents, active = await registered_workplaces(
            request.app.state.reporting_database, sector=sector.value if sector else None, federation=federation
        )
        return workplaces_report(
            documents,
            active,
            jakarta_today(),
            readable=lambda owner: may_read_record(principal, owner),
            list_workplaces=principal.role is not Role.VIEWER,
            suppress_small=not principal.is_admin,
        )

    @router.get("/workplaces/{federation}/{workplace_id:path}", summary="One workplace with its history of updates")
    async def get_workplace(
        request: Request, principal: CurrentPrincipal, federation: FederationPath, workplace_id: WorkplacePath
    ) -> dict[str, Any]:
        if principal.role is Role.VIEWER:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a viewer reads workplace aggregates only, not single workplaces")
        if not may_read_record(principal, federation):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this workplace belongs to another federation")
        document, active = await workplace_document(request.app.state.reporting_database, federation, workplace_id)
        if document is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such registered workplace")
        return workplace_item(document, active, jakarta_today()) | {"history": W.history(document)}

    return router
