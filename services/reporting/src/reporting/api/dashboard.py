"""The dashboard: what it shows (one snapshot of a period's figures) and the page that shows it.

The page is plain HTML, JavaScript and CSS from `reporting/api/static/`, served without a token: it
holds no figures. The figures come from the live stream (reporting.api.live), which needs a bearer
token; the page asks for one once and keeps it in the tab's sessionStorage.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, RedirectResponse
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.periods import JAKARTA, Period, jakarta_today
from organising_shared.projections.tracking import offsets_of
from organising_shared.reference import Sector
from organising_shared.topics import PLANS, VIOLATIONS, WORKPLACES
from reporting.projection.generations import current_generation
from reporting.read_model.breakdowns import sector_breakdown, violations_summary
from reporting.read_model.figures import targets_report
from reporting.read_model.pace import pace_of_targets

if TYPE_CHECKING:
    from reporting.api.live import ComputeView, View

STATIC = Path(__file__).parent / "static"

SECTOR_LABELS = {sector.value: {"id": sector.label_id, "en": sector.label_en} for sector in Sector}


async def dashboard_snapshot(database: AsyncDatabase, view: View, now: datetime | None = None) -> dict[str, Any]:
    """Targets with progress, each targeted sector's federation breakdown, the violations summary,
    each target's pace, and how far the panels' topics have been applied (`revision`)."""
    now = now or datetime.now(JAKARTA)
    period = Period.parse(view.period)
    today = jakarta_today(now)
    targets = await targets_report(database, period, view.federation, today)
    sectors = sorted({row["sector"] for row in targets["sectors"]}, key=list(SECTOR_LABELS).index)
    federations = {}
    for sector in sectors:
        breakdown = await sector_breakdown(database, period, sector, suppress_small=view.suppress_small, today=today)
        federations[sector] = breakdown.get("by_federation", [])
    return {
        "period": targets["period"],
        "as_of": targets["as_of"],
        "federation": view.federation,
        "small_cells_suppressed": view.suppress_small,
        "sector_labels": SECTOR_LABELS,
        "targets": targets["sectors"],
        "federation_breakdown": federations,
        "violations": _without_as_of(await violations_summary(database, period, None, suppress_small=view.suppress_small)),
        "pace": await pace_of_targets(database, period, targets["sectors"], today),
        "revision": await records_applied(database, PANEL_TOPICS),
    }


# The topics behind the panels the page reads from their own endpoints (plans, workplaces, cases).
PANEL_TOPICS = (PLANS, WORKPLACES, VIOLATIONS)


async def records_applied(database: AsyncDatabase, topics: tuple[str, ...]) -> dict[str, int]:
    """How far the current generation has applied each of `topics` (the sum of its partitions'
    stored offsets, -1 when none), by contract topic name.

    It changes with every applied batch of those topics, so a snapshot that carries it is news
    whenever a plan item, workplace or case changed, even when no figure of the snapshot did: the
    page then reads its panels again. Topic names may carry a deployment prefix, hence the suffix.
    """
    generation = await current_generation(database)
    applied = dict.fromkeys(topics, -1)
    async for row in offsets_of(database).find({"projection": generation.projector_name}, {"topic": 1, "offset": 1}):
        for topic in topics:
            if row["topic"].endswith(topic):
                applied[topic] += row["offset"] + 1
    return applied


def _without_as_of(figures: dict[str, Any]) -> dict[str, Any]:
    # One `as_of` per snapshot: a nested one would make every recomputation look like news.
    return {key: value for key, value in figures.items() if key != "as_of"}


def snapshot_computer(database: AsyncDatabase) -> ComputeView:
    async def compute(view: View) -> dict[str, Any]:
        return await dashboard_snapshot(database, view)

    return compute


_MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def dashboard_router() -> APIRouter:
    """GET / (a redirect to the page), GET /dashboard (the page) and GET /dashboard/static/{name}
    (its script and style sheet)."""
    router = APIRouter(tags=["dashboard"])
    # Only the files the package ships, by exact name: nothing else on disk can be asked for.
    assets = {path.name: path for path in STATIC.iterdir() if path.suffix in _MEDIA_TYPES}

    @router.get("/", include_in_schema=False)
    async def root(request: Request) -> RedirectResponse:
        # People type the host and port; the API is documented at /docs. A relative target keeps
        # a path prefix added by a proxy in front, and the query carries the bookmark (period,
        # federation) over to the page.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"dashboard{query}", status_code=status.HTTP_307_TEMPORARY_REDIRECT)

    @router.get("/dashboard", include_in_schema=False)
    async def dashboard_page() -> FileResponse:
        return _asset(assets["index.html"])

    @router.get("/dashboard/static/{name}", include_in_schema=False)
    async def dashboard_asset(name: str) -> FileResponse:
        if name not in assets:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "the dashboard has no such file")
        return _asset(assets[name])

    return router


def _asset(path: Path) -> FileResponse:
    # no-cache: browsers revalidate, so a new release's page and script arrive together.
    return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix], headers={"Cache-Control": "no-cache"})
