"""The store's users of docker-compose.yml (infra/compose/mongo-init/service-users.json) on a real
store that requires a login: each service, connecting through its own settings (user name and
password file), writes its own database and cannot write another service's.

The suite's shared store runs without authentication, so this test starts its own SecantusDB
(the same server) the way compose's store is made: users first, then `--auth`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from notifications.config import NotificationsSettings
from organising_shared.devstack.processes import spawn
from organising_shared.devstack.store_node import StoreNode
from organising_shared.mongo import make_mongo_client
from recruitment.config import RecruitmentSettings
from reporting.config import ReportingSettings

pytestmark = pytest.mark.integration

USERS = json.loads((Path(__file__).resolve().parents[2] / "infra" / "compose" / "mongo-init" / "service-users.json").read_text())["users"]
SETTINGS = {"recruitment": RecruitmentSettings, "reporting": ReportingSettings, "notifications": NotificationsSettings}
UNAUTHORIZED, AUTHENTICATION_FAILED = 13, 18


class _AuthStoreNode(StoreNode):
    """SecantusDB, with `--auth` once `auth` is set: every command but the handshake needs a login."""

    auth: bool = False

    def launch(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        executable = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
        argv = [executable, "--host", "127.0.0.1", "--port", str(self.port), "--storage-path", str(self.data_dir), "--log-level", "WARNING"]
        self.process = spawn([*argv, *(["--auth"] if self.auth else [])], log_path=self.log_path)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[tuple[_AuthStoreNode, dict[str, str]]]:
    node = _AuthStoreNode(tmp_path_factory.mktemp("store-users") / "data")
    passwords = {user: secrets.token_urlsafe(24) for user in USERS}
    node.start()
    try:
        with MongoClient(node.url, serverSelectionTimeoutMS=5000) as client:
            for user, roles in USERS.items():
                client.admin.command("createUser", user, pwd=passwords[user], roles=roles)
    finally:
        node.stop()
    node.auth = True
    node.start()
    yield node, passwords
    node.stop()


def _settings(service: str, url: str, password: str, secrets_dir: Path):
    (secrets_dir / "organising_mongodb_password").write_text(password + "\n")
    return SETTINGS[service](mongodb_url=url, mongodb_username=service, _secrets_dir=secrets_dir)


async def _write(url: str, database: str) -> int | None:
    """None when the write went through, else the store's error code."""
    client = make_mongo_client(url)
    try:
        await client[database]["probe"].insert_one({"probe": True})
        await client[database]["probe"].delete_many({})
        return None
    except OperationFailure as refusal:
        return refusal.code
    finally:
        await client.close()


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_a_service_s_user_writes_its_own_database_and_no_other(store, service, tmp_path):
    node, passwords = store
    settings = _settings(service, node.url, passwords[service], tmp_path)
    own = settings.database
    others = [SETTINGS[other]().database for other in SETTINGS if other != service]

    assert asyncio.run(_write(settings.mongodb_url, own)) is None
    for database in [*others, settings.auth_database]:
        assert asyncio.run(_write(settings.mongodb_url, database)) == UNAUTHORIZED, database


def test_without_a_login_or_with_another_service_s_password_nothing_is_written(store, tmp_path):
    node, passwords = store
    assert asyncio.run(_write(node.url, "organising_recruitment")) == UNAUTHORIZED
    settings = _settings("recruitment", node.url, passwords["reporting"], tmp_path)
    assert asyncio.run(_write(settings.mongodb_url, "organising_recruitment")) == AUTHENTICATION_FAILED


def test_only_the_token_tool_writes_the_token_store(store, tmp_path):
    node, passwords = store
    (tmp_path / "organising_mongodb_password").write_text(passwords["tokens"])
    settings = RecruitmentSettings(mongodb_url=node.url, mongodb_username="tokens", _secrets_dir=tmp_path)
    assert asyncio.run(_write(settings.mongodb_url, settings.auth_database)) is None
    assert asyncio.run(_write(settings.mongodb_url, "organising_recruitment")) == UNAUTHORIZED
