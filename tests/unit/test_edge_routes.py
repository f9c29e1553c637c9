"""The TLS edge (infra/compose/Caddyfile) sends every API path of each service's OpenAPI document
to that service: a route added to recruitment or notifications without a line in the Caddyfile
would otherwise reach reporting and answer 404. `make compose-smoke` checks the edge for real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notifications.main import create_app as notifications_app
from recruitment.main import create_app as recruitment_app
from reporting.main import create_app as reporting_app

CADDYFILE = (Path(__file__).resolve().parents[2] / "infra" / "compose" / "Caddyfile").read_text()
APPS = {"recruitment": recruitment_app, "reporting": reporting_app, "notifications": notifications_app}


def _paths(matcher: str) -> list[str]:
    found = re.search(rf"^\s*@{matcher} path (.+)$", CADDYFILE, re.M)
    assert found, matcher
    return found[1].split()


def _block(matcher: str) -> tuple[set[str], list[str]]:
    """A matcher block's methods and paths: `@name { method …; path … }`."""
    found = re.search(rf"^\s*@{matcher} \{{\n(.*?)\n\s*\}}", CADDYFILE, re.M | re.S)
    assert found, matcher
    lines = dict(line.strip().split(None, 1) for line in found[1].splitlines() if line.strip())
    return set(lines["method"].split()), lines["path"].split()


def _caddy_path_matches(pattern: str, path: str) -> bool:
    # Caddy's path matcher: exact, or a prefix when the pattern ends in *.
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def edge_route(path: str, method: str = "GET") -> str:
    """The service the Caddyfile's handle blocks send `method path` to (in their order)."""
    if any(_caddy_path_matches(p, path) for p in _paths("metrics")):
        return "none"
    if any(_caddy_path_matches(p, path) for p in _paths("recruitment")):
        return "recruitment"
    methods, paths = _block("recruitment_writes")
    if method in methods and any(_caddy_path_matches(p, path) for p in paths):
        return "recruitment"
    if any(_caddy_path_matches(p, path) for p in _paths("notifications")):
        return "notifications"
    return "reporting"


def _sample(path: str) -> str:
    """A concrete request path for an OpenAPI template (`{period}` -> `x1`)."""
    return re.sub(r"\{[^}]+\}", "x1", path)


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_api_path_of_a_service_reaches_that_service(service):
    document = APPS[service]().openapi()["paths"]
    routes = [(method.upper(), path) for path, operations in document.items() if path.startswith("/api/") for method in operations]
    assert routes
    assert {route: edge_route(_sample(route[1]), route[0]) for route in routes} == dict.fromkeys(routes, service)


def test_the_dashboard_and_the_app_go_to_their_services_and_metrics_nowhere():
    assert edge_route("/") == edge_route("/dashboard") == edge_route("/dashboard/static/dashboard.js") == "reporting"
    assert edge_route("/app") == edge_route("/app/members") == "recruitment"
    assert edge_route("/metrics") == "none"
