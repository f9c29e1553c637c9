"""docker-compose.yml is accepted by Docker Compose v2 and says how the stack keeps its data,
stops, logs and gets its secrets. `make compose-smoke` starts it for real."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from notifications.config import NotificationsSettings
from recruitment.config import RecruitmentSettings
from reporting.config import ReportingSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SMOKE_FILE = ROOT / "infra" / "compose-smoke" / "docker-compose.smoke.yml"
PORTS = {"mongo": 27017, "recruitment": 8001, "reporting": 8002, "notifications": 8003, "gateway": 8004}
# Images the smoke check builds itself, since it cannot pull them.
THIRD_PARTY = ("kafka", "mongo", "edge")
USERS = json.loads((ROOT / "infra" / "compose" / "mongo-init" / "service-users.json").read_text())["users"]
SETTINGS = {"recruitment": RecruitmentSettings, "reporting": ReportingSettings, "notifications": NotificationsSettings}
# A stopping service gives requests 10 s (uvicorn) and the batch in flight 10 s (projections),
# one after the other, then closes its clients.
DRAIN_SECONDS = 20


def _compose(*files: Path) -> dict:
    docker = shutil.which("docker")
    assert docker, "the docker client is not installed (Debian's docker.io)"
    command = [docker, "compose", "--project-directory", str(ROOT)]
    for file in files:
        command += ["-f", str(file)]
    # No variables from the caller's shell or an .env file: the file's own defaults are tested.
    # The `tools` profile adds the one-off services (reporting-rebuild).
    result = subprocess.run(
        [*command, "--env-file", "/dev/null", "--profile", "tools", "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, f"docker compose v2 refused the file (`make test` installs it):\n{result.stderr}"
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def config() -> dict:
    return _compose(COMPOSE_FILE)


@pytest.fixture(scope="module")
def services(config) -> dict:
    return config["services"]


def _seconds(duration: str) -> float:
    """Compose's normalised durations: 1m0s, 45s, 1m30s."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", duration)
    assert parts and duration, duration
    hours, minutes, seconds = (float(part or 0) for part in parts.groups())
    return hours * 3600 + minutes * 60 + seconds


def _secret_variables(settings_class) -> set[str]:
    """The variable of every SecretStr setting, in lower case: the file name the settings read."""
    names = set()
    for name, field in settings_class.model_fields.items():
        if field.annotation is SecretStr or SecretStr in typing.get_args(field.annotation):
            names.add((field.validation_alias or f"ORGANISING_{name}").lower())
    return names


def _published(service: dict) -> list[tuple[str, str, int]]:
    return [(p["host_ip"], p["published"], p["target"]) for p in service.get("ports", [])]


def test_only_the_tls_edge_and_the_federation_listener_are_published_beyond_loopback(config, services):
    assert config["name"] == "organising"
    for name, port in PORTS.items():
        # Loopback only, on docs/contract.md's ports.
        assert _published(services[name]) == [("127.0.0.1", str(port), port)], name
        assert "healthcheck" in services[name]
    # Kafka: the plaintext super-user listener on loopback; the federations' TLS + SCRAM one for others.
    assert _published(services["kafka"]) == [("127.0.0.1", "9092", 9092), ("0.0.0.0", "9094", 9094)]
    assert _published(services["edge"]) == [("0.0.0.0", "443", 443), ("0.0.0.0", "80", 80)]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {*PORTS, "kafka", "edge"}


def test_kafka_authenticates_federations_with_tls_and_scram_and_enforces_acls(services):
    kafka = services["kafka"]["environment"]
    protocols = dict(pair.split(":") for pair in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert protocols["FEDERATION"] == "SASL_SSL"
    assert "FEDERATION://:9094" in kafka["KAFKA_LISTENERS"].split(",")
    assert kafka["KAFKA_LISTENER_NAME_FEDERATION_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    # Its certificate comes from the one-off kafka-tls, which must finish first.
    assert services["kafka"]["depends_on"]["kafka-tls"]["condition"] == "service_completed_successfully"
    tls_volume = {v["source"]: v["target"] for v in services["kafka"]["volumes"]}["kafka-tls"]
    assert kafka["KAFKA_LISTENER_NAME_FEDERATION_SSL_KEYSTORE_LOCATION"].startswith(tls_volume + "/")


def test_each_service_logs_into_the_store_as_its_own_user_with_its_own_password(services):
    for name in (*SETTINGS, "reporting-rebuild", "tokens"):
        user = name.removesuffix("-rebuild")
        assert services[name]["environment"]["ORGANISING_MONGODB_USERNAME"] == user, name
        password = [secret for secret in services[name]["secrets"] if Path(secret["target"]).name == "organising_mongodb_password"]
        assert [secret["source"] for secret in password] == [f"organising_mongo_{user}_password"], name
    # Least privilege: each service writes its own database only and reads the token store; only
    # the token tool writes that.
    own = {"recruitment": "organising_recruitment", "reporting": "organising_reporting", "notifications": "organising_notifications"}
    for user, database in own.items():
        assert sorted((role["role"], role["db"]) for role in USERS[user]) == [("read", "organising_auth"), ("readWrite", database)]
        assert database == SETTINGS[user]().database
    assert USERS["tokens"] == [{"role": "readWrite", "db": "organising_auth"}]
    # Every user's password is a secret the store's container reads on its first start.
    mounted = {secret["source"] for secret in services["mongo"]["secrets"]}
    expected = {f"organising_mongo_{user}_password" for user in USERS} | {"organising_mongo_root_password", "organising_mongo_keyfile"}
    assert mounted == expected
    assert "--keyFile" in services["mongo"]["command"]


def test_kafka_keeps_its_topics_on_its_volume_under_a_fixed_cluster_id(services):
    kafka = services["kafka"]
    mounts = {volume["source"]: volume["target"] for volume in kafka["volumes"]}
    assert kafka["environment"]["KAFKA_LOG_DIRS"] == mounts["kafka-data"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", kafka["environment"]["CLUSTER_ID"])
    assert {volume["source"]: volume["target"] for volume in services["mongo"]["volumes"]} == {
        "mongo-data": "/data/db",
        # The first start's script and the users it creates (read only).
        str(ROOT / "infra" / "compose" / "mongo-init"): "/docker-entrypoint-initdb.d",
    }


def test_third_party_images_are_pinned_to_a_release(services):
    for name in THIRD_PARTY:
        assert re.fullmatch(r"[a-z/]+:\d+\.\d+\.\d+", services[name]["image"]), services[name]["image"]
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert base and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base[1]), base


def test_one_image_is_built_once_and_each_service_chosen_by_its_command(services):
    python_services = {name: service for name, service in services.items() if name not in THIRD_PARTY}
    assert [name for name, service in python_services.items() if "build" in service] == ["recruitment"]
    assert len({service["image"] for service in python_services.values()}) == 1
    assert {name: service.get("entrypoint", []) + service["command"] for name, service in python_services.items()} == {
        "recruitment": ["organising-recruitment"],
        "reporting": ["organising-reporting"],
        "notifications": ["organising-notifications"],
        "gateway": ["organising-gateway"],
        "reporting-rebuild": ["organising-reporting-rebuild"],
        "tokens": ["organising-tokens", "list"],
        "kafka-tls": ["python", "/opt/organising/kafka-tls.py", "/tls", "localhost"],
    }


def test_the_image_is_built_in_stages_from_the_runtime_lock_alone():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2
    assert "COPY --from=build /opt/organising /opt/organising" in dockerfile
    assert "--require-hashes -r /tmp/runtime.lock" in dockerfile
    runtime, dev = ((ROOT / "requirements" / f"{name}.lock").read_text() for name in ("runtime", "dev"))
    # The local store is for `make run` and the tests; production talks to MongoDB.
    assert "secantusdb==" not in runtime
    assert "secantusdb==" in dev
    for lock in (runtime, dev):
        # Generated by `uv pip compile --generate-hashes`; no registry host is named.
        assert lock.startswith("# This file was autogenerated by uv")
        assert "://" not in lock and "--index-url" not in lock


def test_each_container_stops_gently_is_memory_bound_and_rotates_its_log(services):
    for name, service in services.items():
        assert service["deploy"]["resources"]["limits"]["memory"], name
        assert service["logging"]["driver"] == "json-file", name
        assert {"max-size", "max-file"} <= set(service["logging"]["options"]), name
        if name in SETTINGS or name == "reporting-rebuild":
            assert service["init"] is True, name
            assert _seconds(service["stop_grace_period"]) > DRAIN_SECONDS, name


def test_every_secret_setting_is_mounted_as_a_file_and_not_passed_in_the_environment(config, services):
    for name, settings_class in SETTINGS.items():
        expected = _secret_variables(settings_class)
        # The file names the service sees (a per-service secret, its store password, is mounted
        # under the one name every service reads).
        mounted = {Path(secret["target"]).name for secret in services[name]["secrets"]}
        assert mounted == expected, name
        # A variable, even an empty one, would win over the file.
        assert not {variable.upper() for variable in expected} & set(services[name]["environment"]), name
    for name, secret in config["secrets"].items():
        assert Path(secret["file"]) == ROOT / "secrets" / name


def test_env_example_lists_every_variable_the_compose_file_reads():
    variables = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    example = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert variables == example


def test_the_smoke_override_keeps_the_stack_on_loopback_and_swaps_only_images_that_cannot_be_pulled(services):
    smoke = _compose(COMPOSE_FILE, SMOKE_FILE)["services"]
    assert set(smoke) == set(services)
    for name, service in smoke.items():
        assert service["network_mode"] == "host", name
        assert not service.get("ports"), name
        for key in ("init", "stop_grace_period", "logging", "deploy", "secrets", "volumes"):
            assert service.get(key) == services[name].get(key), (name, key)
        if name not in THIRD_PARTY:
            # The services' own image and command; only its base image differs.
            assert (service["image"], service["command"]) == (services[name]["image"], services[name]["command"])
        if name in PORTS and name not in THIRD_PARTY:
            assert service["environment"]["ORGANISING_HTTP_HOST"] == "127.0.0.1"
    assert smoke["kafka"]["environment"]["KAFKA_LOG_DIRS"] == services["kafka"]["environment"]["KAFKA_LOG_DIRS"]
    assert smoke["kafka"]["environment"]["CLUSTER_ID"] == services["kafka"]["environment"]["CLUSTER_ID"]


def test_new_secrets_writes_the_store_s_key_file_and_a_password_for_every_user(tmp_path):
    import runpy

    write_secrets = runpy.run_path(str(ROOT / "infra" / "compose" / "new-secrets.py"))["write_secrets"]
    write_secrets(tmp_path)
    for user in USERS:
        assert len((tmp_path / f"organising_mongo_{user}_password").read_text()) >= 32, user
    key = (tmp_path / "organising_mongo_keyfile").read_text()
    # mongod's rules for a key file: 6 to 1024 base64 characters.
    assert 6 <= len(key) <= 1024 and re.fullmatch(r"[A-Za-z0-9+/=]+", key)
    passwords = [(tmp_path / f"organising_mongo_{user}_password").read_text() for user in (*USERS, "root")]
    assert len(set(passwords)) == len(passwords)
