"""GET /api/v1/violations (the case list) and /api/v1/violations/{case_id} (one case with its
stage timeline and statutory deadlines), from `read_model.cases`.

Scoping (docs/contract.md, v1 additions): cases are records. An admin reads every case; a
federation its own (the federation of the case's first report): its list is its own cases, and
asking for another federation's (`federation=`) or reading another's case is 403. A viewer reads
the aggregates only (GET /api/v1/violations/summary, small cells suppressed): both routes are 403.

These routes are registered after GET /api/v1/violations/summary (`figures.reporting_router`),
so `summary` is never taken for a case id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from organising_shared.auth import Principal, Role
from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import JAKARTA, PERIOD_PATTERN, jakarta_today
from organising_shared.reference import FEDERATION_CODE_PATTERN, CaseStage, Sector
from reporting.api.figures import _period
from reporting.api.workplaces import may_read_record
from reporting.read_model.cases import CaseFilter, case_detail, case_document, case_page, decode_cursor

DEFAULT_LIMIT, MAX_LIMIT = 50, 500

CasePath = Annotated[str, Path(min_length=1, max_length=128, examples=["case-2026-0107"])]


def _readable_federation(principal: Principal, federation: str | None) -> str | None:
    """The federation the list is limited to: any (or none) for an admin, its own for a federation."""
    if principal.role is Role.VIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a viewer reads case aggregates only: GET /api/v1/violations/summary")
    if principal.is_admin:
        return federation
    if federation is not None and federation != principal.federation:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a federation reads its own cases only")
    return principal.federation


def cases_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["violations"])

    @router.get("/violations", summary="Violation cases with their stage, statutory deadline and whether it has passed")
    async def get_cases(
        request: Request,
        principal: CurrentPrincipal,
        period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="cases reported in it or open during it")] = None,
        sector: Sector | None = None,
        federation: Annotated[str | None, Query(pattern=FEDERATION_CODE_PATTERN)] = None,
        stage: CaseStage | None = None,
        state: Literal["open", "closed"] | None = None,
        overdue: Annotated[bool | None, Query(description="true: open cases past their deadline; false: the others")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        after: Annotated[str | None, Query(max_length=400, description="next_after of the previous page")] = None,
    ) -> dict[str, Any]:
        filters = CaseFilter(
            period=_period(period) if period else None,
            sector=sector.value if sector else None,
            federation=_readable_federation(principal, federation),
            stage=stage.value if stage else None,
            state=state,
            overdue=overdue,
        )
        try:
            cursor = decode_cursor(after) if after is not None else None
        except ValueError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"after: {error}") from None
        today = jakarta_today()
        cases, next_after = await case_page(request.app.state.reporting_database, filters, today, limit=limit, after=cursor)
        return {"as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"), "cases": cases, "next_after": next_after}

    # `:path`: federations number their records like case-fspmi-001/PUK/VII/2026, and an id may hold
    # a slash (sent as %2F or as is). GET /api/v1/violations/summary, registered first, keeps its path.
    @router.get("/violations/{case_id:path}", summary="One case with its stage timeline and each stage's statutory deadline")
    async def get_case(request: Request, principal: CurrentPrincipal, case_id: CasePath) -> dict[str, Any]:
        if principal.role is Role.VIEWER:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a viewer reads case aggregates only: GET /api/v1/violations/summary")
        document = await case_document(request.app.state.reporting_database, case_id)
        if document is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such reported case")
        if not may_read_record(principal, document["view"]["federation"]):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this case belongs to another federation")
        return case_detail(document, jakarta_today())

    return router
