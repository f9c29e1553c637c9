"""GET /api/v1/pace: a sector's target metrics day by day, cumulative actual against expected.

Every role may read it, as every role reads GET /api/v1/targets: it is the same figures (the
last day's actual is the target's `actual`) spread over the days of the period.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status

from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import jakarta_today
from organising_shared.reference import FEDERATION_CODE_PATTERN, Sector
from reporting.api.figures import PeriodQuery, _period
from reporting.read_model.pace import pace_report

FederationQuery = Annotated[
    str | None,
    Query(
        pattern=FEDERATION_CODE_PATTERN,
        description="That federation's events against its own target; absent: the whole confederation",
        examples=["FSPMI"],
    ),
]


def pace_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["reporting"])

    @router.get("/pace", summary="Each target metric through the period: cumulative actual by day against the expected pace")
    async def get_pace(
        request: Request, principal: CurrentPrincipal, period: PeriodQuery, sector: Sector, federation: FederationQuery = None
    ) -> dict[str, Any]:
        if federation is not None and federation not in request.app.state.reporting_settings.federations:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "federation: is not one of the configured federations")
        return await pace_report(request.app.state.reporting_database, _period(period), sector.value, federation, jakarta_today())

    return router
