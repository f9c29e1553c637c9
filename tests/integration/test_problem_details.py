"""Every route of the three services answers a bad request with RFC 9457 problem details of the
documented shape: walked from each service's own OpenAPI document, against the real broker and
store. The bad request is the first of these that applies to the operation: a body of the wrong
type, a path or query parameter that breaks its pattern or is missing, no token, or a method the
path does not allow."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from notifications.config import NotificationsSettings
from notifications.main import create_app as notifications_app
from organising_shared.problems import MEDIA_TYPE, Problem
from recruitment.config import RecruitmentSettings
from recruitment.main import create_app as recruitment_app
from reporting.config import ReportingSettings
from reporting.main import create_app as reporting_app

pytestmark = pytest.mark.integration

ADMIN_TOKEN = "org_problem-details-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DOCUMENTED = {401, 403, 404, 422, 500}


def _apps(isolated_settings, namespace) -> dict[str, Any]:
    common = {**isolated_settings.model_dump(exclude={"admin_token"}), "admin_token": ADMIN_TOKEN}
    return {
        "recruitment": recruitment_app(RecruitmentSettings(**common, database=f"{namespace}_recruitment")),
        "reporting": reporting_app(ReportingSettings(**common, database=f"{namespace}_reporting", consumer_group=f"{namespace}-reporting")),
        "notifications": notifications_app(
            NotificationsSettings(**common, database=f"{namespace}_notifications", consumer_group=f"{namespace}-notifications")
        ),
    }


@contextlib.asynccontextmanager
async def _serving(app) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
            yield client


def _bad_request(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    """Arguments for `client.request` that the operation must refuse."""
    parameters = operation.get("parameters", [])
    path_parameters = [p for p in parameters if p["in"] == "path"]
    required_query = [p for p in parameters if p["in"] == "query" and p.get("required")]
    concrete = re.sub(r"\{[^}]+\}", "not a valid value!", path)
    if "requestBody" in operation:
        content = operation["requestBody"].get("content", {})
        if "application/json" in content:
            return {"method": method, "url": concrete, "headers": ADMIN, "json": ["a list is never the body"]}
        return {"method": method, "url": concrete, "headers": ADMIN, "content": b"\xff\xfe not a form"}
    if path_parameters or required_query:
        return {"method": method, "url": concrete, "headers": ADMIN}
    if operation.get("security"):
        return {"method": method, "url": path}  # no token
    return {"method": "DELETE" if method != "DELETE" else "PATCH", "url": path}  # a method the path does not allow


@pytest.mark.parametrize("service", ["recruitment", "reporting", "notifications"])
async def test_every_route_answers_a_bad_request_with_a_documented_problem(service, isolated_settings, namespace, infrastructure):
    app = _apps(isolated_settings, namespace)[service]
    checked = []
    async with _serving(app) as client:
        document = (await client.get("/openapi.json")).json()
        assert "Problem" in document["components"]["schemas"]
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                request = _bad_request(path, method.upper(), operation)
                response = await client.request(**request)
                where = f"{method.upper()} {path} ({request['method']} {request['url']})"
                assert 400 <= response.status_code < 500, (where, response.status_code, response.text[:300])
                assert response.headers["content-type"] == MEDIA_TYPE, (where, response.headers["content-type"])
                problem = Problem.model_validate(response.json())
                assert problem.status == response.status_code and problem.type.startswith("urn:organising:problem:"), where
                assert "Traceback" not in response.text and "not a valid value!" not in problem.detail, where
                if response.status_code in DOCUMENTED and request["method"] == method.upper():
                    assert str(response.status_code) in operation["responses"], (where, sorted(operation["responses"]))
                checked.append(where)
    assert len(checked) >= 3, checked
