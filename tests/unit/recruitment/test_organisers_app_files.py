"""The organisers' app's files are served from the package, nothing else is (no lifespan needed)."""

import csv
import io

import httpx

from recruitment import importer
from recruitment.main import create_app
from recruitment.organisers_app.routes import TEMPLATE_EXAMPLE
from recruitment.schemas import MemberCreate


async def _get(path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://recruitment") as client:
        return await client.get(path)


async def test_the_page_its_scripts_and_its_service_worker_are_served():
    page = await _get("/app/")
    assert page.status_code == 200
    assert 'lang="id"' in page.text
    for name, media in (("app.js", "javascript"), ("forms.js", "javascript"), ("queue.js", "javascript"), ("app.css", "css")):
        response = await _get(f"/app/static/{name}")
        assert response.status_code == 200
        assert media in response.headers["content-type"]
    worker = await _get("/app/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/app/"
    assert (await _get("/app")).status_code == 308


async def test_only_the_packaged_files_can_be_asked_for():
    assert (await _get("/app/static/routes.py")).status_code == 404
    assert (await _get("/app/static/..%2F__init__.py")).status_code == 404


async def test_the_config_names_the_reporting_api():
    assert (await _get("/app/config.json")).json() == {"reporting_url": "http://127.0.0.1:8002"}


async def test_the_template_has_every_column_and_an_example_row_the_importer_accepts():
    response = await _get("/app/template.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert tuple(rows[0]) == importer.COLUMNS
    # The example row is valid as it is: an organiser can start from it.
    MemberCreate(**{key: value for key, value in rows[0].items() if value}, federation="FSPMI")
    assert rows[0] == TEMPLATE_EXAMPLE
