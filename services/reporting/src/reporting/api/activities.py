"""GET /api/v1/activities: a period's activities summed, by federation, sector, programme and kind.

Aggregates only, for every role; cells counting 1–4 people are null for every role but admin
(as the breakdowns do).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import JAKARTA
from organising_shared.programmes import PROGRAMME_CODE_PATTERN
from organising_shared.reference import FEDERATION_CODE_PATTERN, Sector
from reporting.api.figures import PeriodQuery, _period
from reporting.read_model import activities as A
from reporting.read_model.organising import activities_in

FederationQuery = Annotated[str | None, Query(pattern=FEDERATION_CODE_PATTERN, examples=["FSPMI"])]
ProgrammeQuery = Annotated[str | None, Query(pattern=PROGRAMME_CODE_PATTERN, examples=["SASK-APHEDA-2026"])]


def activities_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["activities"])

    @router.get(
        "/activities",
        summary="Activities of a period: count, person-days, participants by gender, cadres trained",
        response_class=Response,
        responses={200: {"content": {"application/json": {}}}},
    )
    async def get_activities(
        request: Request,
        principal: CurrentPrincipal,
        period: PeriodQuery,
        sector: Sector | None = None,
        federation: FederationQuery = None,
        programme: ProgrammeQuery = None,
    ) -> Response:
        period_value = _period(period)
        suppress = not principal.is_admin
        database = request.app.state.reporting_database
        sector_code = sector.value if sector else None

        async def compute() -> bytes:
            chosen = A.matching(await activities_in(database, period_value), sector=sector_code, federation=federation, programme=programme)
            report = {
                "period": period_value.code,
                "as_of": datetime.now(JAKARTA).isoformat(timespec="seconds"),
                **A.activities_report(chosen, suppress=suppress),
            }
            return json.dumps(report, separators=(",", ":"), ensure_ascii=False).encode()

        key = ("activities", period_value.code, sector_code, federation, programme, suppress)
        return Response(await request.app.state.shared_figures.get(key, compute), media_type="application/json")

    return router
