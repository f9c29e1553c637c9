"""The dashboard page and its assets are served from the package, and nothing else is."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from reporting.api.dashboard import STATIC, dashboard_router


def client() -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(dashboard_router())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting")


async def test_the_page_is_indonesian_first_and_loads_its_own_script_and_style():
    async with client() as http:
        response = await http.get("/dashboard")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="id">' in response.text
        assets = re.findall(r'(?:src|href)="(/dashboard/static/[^"]+)"', response.text)
        assert len(assets) == 3  # dashboard.css, dashboard.js, panels.js
        for asset in assets:
            served = await http.get(asset)
            assert served.status_code == 200, asset
            assert served.headers["content-type"].startswith(("text/javascript", "text/css"))


async def test_only_the_shipped_files_can_be_fetched():
    async with client() as http:
        assert (await http.get("/dashboard/static/missing.js")).status_code == 404
        assert (await http.get("/dashboard/static/..%2Fdashboard.py")).status_code == 404
        assert (await http.get("/dashboard/static/__init__.py")).status_code == 404


def _keys(block: str) -> set[str]:
    return set(re.findall(r"^    (\w+):", block, flags=re.MULTILINE))


def test_every_text_key_on_the_page_is_translated_in_both_languages():
    script = (STATIC / "dashboard.js").read_text()
    indonesian = _keys(script[script.index("  id: {") : script.index("  en: {")])
    english = _keys(script[script.index("  en: {") : script.index("};")])
    assert indonesian == english
    page_keys = set(re.findall(r'data-i18n(?:-placeholder)?="(\w+)"', (STATIC / "index.html").read_text()))
    assert page_keys and page_keys <= indonesian


async def test_the_root_leads_to_the_dashboard_and_is_not_part_of_the_api():
    from reporting.config import ReportingSettings
    from reporting.main import create_app

    app = create_app(ReportingSettings())  # the service's own app: its routes, not only the dashboard's
    assert "/" not in app.openapi()["paths"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting") as http:
        root = await http.get("/")
        assert root.status_code == 307 and root.headers["location"] == "dashboard"
        bookmarked = await http.get("/", params={"period": "2026-S1", "federation": "FSPMI"})
        assert bookmarked.headers["location"] == "dashboard?period=2026-S1&federation=FSPMI"
        followed = await http.get("/", follow_redirects=True)
        assert followed.status_code == 200 and str(followed.url) == "http://reporting/dashboard"
        assert '<html lang="id">' in followed.text
