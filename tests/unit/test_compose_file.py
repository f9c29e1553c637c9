"""docker-compose.yml is accepted by a compose implementation and names the whole stack."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
SECRETS = {
    "ORGANISING_ADMIN_TOKEN": "t",
    "ORGANISING_RECRUITMENT_MASTER_KEY": "k",
    "ORGANISING_RECRUITMENT_PSEUDONYM_SECRET": "p",
    "ORGANISING_RECRUITMENT_NIK_SECRET": "n",
    "ORGANISING_WEBHOOK_SECRET_KEYS": "w",
}


def _config(env: dict[str, str]) -> subprocess.CompletedProcess:
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is not installed: `make test` installs it (apt-get install docker-compose)"
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run([compose, "-f", str(COMPOSE_FILE), "config"], env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_compose_accepts_the_file_and_it_names_kafka_mongodb_and_the_three_services():
    result = _config(SECRETS)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"kafka", "mongo", "recruitment", "reporting", "notifications"} <= set(services)
    expected = {"kafka": 9092, "mongo": 27017, "recruitment": 8001, "reporting": 8002, "notifications": 8003}
    for name, port in expected.items():
        # Loopback only, on docs/contract.md's ports.
        assert services[name]["ports"] == [f"127.0.0.1:{port}:{port}/tcp"], services[name]["ports"]
    assert all("healthcheck" in services[name] for name in expected)


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_secret(secret):
    result = _config({k: v for k, v in SECRETS.items() if k != secret})
    assert result.returncode != 0
    assert secret in result.stderr
