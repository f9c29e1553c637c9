"""GET /api/v1/programmes, /api/v1/programmes/{code}/report and its XLSX.

Every role reads programme reports (aggregates); cells counting 1–4 people are hidden for every
role but admin. An unknown programme code is a 404 problem.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response, status

from organising_shared.auth.dependencies import CurrentPrincipal
from organising_shared.periods import jakarta_today
from organising_shared.programmes import Programme
from reporting.api.exports import XLSX_MEDIA_TYPE
from reporting.api.programme_workbook import render_programme_workbook
from reporting.read_model.programmes import programme_description, programme_report

CodePath = Annotated[str, Path(max_length=40, examples=["SASK-APHEDA-2026"])]


def _programme(request: Request, code: str) -> Programme:
    for programme in request.app.state.reporting_settings.programmes:
        if programme.code == code:
            return programme
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no programme with this code is configured")


async def _report(request: Request, principal: Any, code: str) -> dict[str, Any]:
    programme = _programme(request, code)
    suppress, today = not principal.is_admin, jakarta_today()
    database = request.app.state.reporting_database

    async def compute() -> dict[str, Any]:
        return await programme_report(database, programme, suppress_small=suppress, today=today)

    # The same figures for the JSON and the workbook: both come from this one cached computation.
    return await request.app.state.shared_figures.get(("programme", programme.code, suppress, today), compute)


def programmes_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["programmes"])

    @router.get("/programmes", summary="The configured programmes")
    async def get_programmes(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
        return {"programmes": [programme_description(programme) for programme in request.app.state.reporting_settings.programmes]}

    @router.get(
        "/programmes/{code}/report",
        summary="A programme's indicators over its period and scope",
        response_class=Response,
        responses={200: {"content": {"application/json": {}}}},
    )
    async def get_programme_report(request: Request, principal: CurrentPrincipal, code: CodePath) -> Response:
        report = await _report(request, principal, code)
        return Response(json.dumps(report, ensure_ascii=False).encode(), media_type="application/json")

    @router.get("/programmes/{code}/report.xlsx", summary="The programme report as a workbook", response_class=Response)
    async def get_programme_workbook(request: Request, principal: CurrentPrincipal, code: CodePath) -> Response:
        report = await _report(request, principal, code)
        return Response(
            render_programme_workbook(report),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="laporan-program-{code}-{report["programme"]["period"]}.xlsx"'},
        )

    return router
