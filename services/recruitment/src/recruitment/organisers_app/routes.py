"""GET /app (the page), its assets, its service worker, its configuration and the CSV template;
GET /api/v1/session (who a token is, so the page can show what that role may do).

Plain files, like the reporting dashboard: the app is HTML, CSS and JavaScript without a build
step. Records are written through the same JSON API as any other client (api.py).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel

from organising_shared.auth import Principal
from organising_shared.auth.dependencies import CurrentPrincipal
from recruitment import importer

STATIC = Path(__file__).with_name("static")
_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
}
# One example row of the import template: made-up values, a NIK that no one holds (the 16
# digits pass the format; `000000` is not a date of birth).
TEMPLATE_EXAMPLE = {
    "sector": "metal",
    "workplace_id": "wp-bekasi-0042",
    "region_code": "32.16",
    "employment_status": "permanent",
    "gender": "female",
    "recruited_on": "2026-03-14",
    "age_band": "25_34",
    "full_name": "Contoh Nama",
    "phone": "+6281200000000",
    "nik": "3216010000000000",
}


class SessionInfo(BaseModel):
    name: str
    role: str
    federation: str | None
    federations: list[str]
    confederation: str


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importer.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue()


def organisers_app_router(*, reporting_url: str) -> APIRouter:
    router = APIRouter()
    assets = {path.name: path for path in STATIC.iterdir() if path.suffix in _MEDIA_TYPES}

    @router.get("/app", include_in_schema=False)
    async def app_without_slash() -> RedirectResponse:
        # The service worker's scope is /app/: the page must live under it.
        return RedirectResponse("app/", status_code=status.HTTP_308_PERMANENT_REDIRECT)

    @router.get("/app/", include_in_schema=False)
    async def app_page() -> FileResponse:
        return _asset(assets["index.html"])

    @router.get("/app/sw.js", include_in_schema=False)
    async def service_worker() -> FileResponse:
        return _asset(assets["sw.js"])

    @router.get("/app/static/{name}", include_in_schema=False)
    async def app_asset(name: str) -> FileResponse:
        if name not in assets:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "the app has no such file")
        return _asset(assets[name])

    @router.get("/app/config.json", include_in_schema=False)
    async def app_config() -> dict[str, Any]:
        return {"reporting_url": reporting_url.rstrip("/")}

    @router.get("/app/template.csv", include_in_schema=False)
    async def import_template() -> Response:
        return Response(
            template_csv().encode("utf-8-sig"),  # the BOM makes spreadsheet programs read UTF-8
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="template-impor-anggota.csv"', "Cache-Control": "no-cache"},
        )

    @router.get("/api/v1/session", response_model=SessionInfo, tags=["session"], summary="Who this token is and what it may act for")
    async def session(principal: CurrentPrincipal, request: Request) -> SessionInfo:
        return session_info(principal, request.app.state.settings)

    return router


def session_info(principal: Principal, settings: Any) -> SessionInfo:
    return SessionInfo(
        name=principal.name,
        role=str(principal.role),
        federation=principal.federation,
        federations=list(settings.federations) if principal.is_admin else [principal.federation] if principal.federation else [],
        confederation=settings.confederation,
    )


def _asset(path: Path) -> FileResponse:
    # no-cache: browsers (and the service worker's fetch) revalidate, so a release arrives whole.
    headers = {"Cache-Control": "no-cache"}
    if path.name == "sw.js":
        headers["Service-Worker-Allowed"] = "/app/"
    return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix], headers=headers)
