"""infra/observability: Prometheus accepts its config, the alert rules pass their own tests
(`promtool test rules`), and every metric the alerts and the Grafana dashboard name is one the
services export."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import notifications.alerts.evaluator
import notifications.metrics  # noqa: F401 - registers the notifications metrics
import organising_shared.metrics
import organising_shared.observability.http
import organising_shared.observability.lag  # noqa: F401
import recruitment.outbox_metrics  # noqa: F401
import reporting.projection.projector  # noqa: F401 - registers the member ledger's gauge

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "infra" / "observability"
DASHBOARD = OBSERVABILITY / "grafana" / "dashboards" / "organising.json"


def _promtool(*args: str) -> subprocess.CompletedProcess:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is not installed: `make test` installs it (apt-get install prometheus)"
    return subprocess.run([promtool, *args], cwd=OBSERVABILITY, capture_output=True, text=True, timeout=120)


def test_prometheus_accepts_its_config_and_rules():
    result = _promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_alert_rules_pass_their_tests():
    result = _promtool("test", "rules", "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested():
    rules = yaml.safe_load((OBSERVABILITY / "alerts.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    tests = yaml.safe_load((OBSERVABILITY / "alerts.test.yml").read_text())
    tested = {case["alertname"] for test in tests["tests"] for case in test["alert_rule_test"] if case.get("exp_alerts")}
    assert alerts == tested


def _exported_names() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(f"{family.name}{suffix}" for suffix in ("_total", "_count", "_sum", "_bucket", "_created"))
    return names


def _named_in(text: str) -> set[str]:
    return set(re.findall(r"\borganising_[a-z_]+", text))


def test_the_alerts_and_the_dashboard_name_only_exported_metrics():
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])
    rules = " ".join(
        rule["expr"] for group in yaml.safe_load((OBSERVABILITY / "alerts.yml").read_text())["groups"] for rule in group["rules"]
    )
    named = _named_in(expressions) | _named_in(rules)
    assert named, "no organising_* metric named at all"
    assert named <= _exported_names(), sorted(named - _exported_names())


def test_the_dashboard_uses_the_provisioned_datasource():
    datasource = yaml.safe_load((OBSERVABILITY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    dashboard = json.loads(DASHBOARD.read_text())
    assert {panel["datasource"]["uid"] for panel in dashboard["panels"]} == {uid}


def test_compose_runs_prometheus_and_grafana_only_in_the_observability_profile():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["observability"]
        assert ":" in services[name]["image"] and not services[name]["image"].endswith(":latest")
        for volume in services[name]["volumes"]:
            assert (ROOT / volume.split(":")[0]).exists(), volume
    scraped = yaml.safe_load((OBSERVABILITY / "prometheus.yml").read_text())["scrape_configs"][0]["static_configs"]
    assert {target for config in scraped for target in config["targets"]} == {"recruitment:8001", "reporting:8002", "notifications:8003"}
