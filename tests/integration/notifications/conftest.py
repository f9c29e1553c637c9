"""Fixtures for the notifications integration tests: settings in the test's own namespace, the
service running in-process (its real lifespan: broker, store, dispatcher), and API clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from notifications.config import NotificationsSettings
from notifications.main import create_app
from organising_shared.auth.principal import Role
from organising_shared.auth.tokens import TokenStore
from organising_shared.mongo import make_mongo_client

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
SECRET_KEY = Fernet.generate_key().decode()


@pytest.fixture
def notifications_settings(isolated_settings, namespace) -> NotificationsSettings:
    return make_settings(isolated_settings, namespace)


def make_settings(isolated_settings, namespace, **overrides) -> NotificationsSettings:
    values = {
        **isolated_settings.model_dump(),
        "database": f"{namespace}_notifications",
        "consumer_group": f"{namespace}-notifications",
        "admin_token": ADMIN_TOKEN,
        "allow_private_webhooks": True,  # the receivers listen on 127.0.0.1
        "webhook_secret_keys": SECRET_KEY,  # (test_crash.py runs without: secrets stored unsealed)
        "delivery_max_attempts": 3,
        "delivery_backoff_base_seconds": 0.2,
        "delivery_backoff_max_seconds": 1.0,
        "delivery_attempt_timeout_seconds": 5.0,
        "delivery_poll_seconds": 0.2,
        **overrides,
    }
    return NotificationsSettings(**values)


@dataclass
class RunningService:
    settings: NotificationsSettings
    admin: httpx.AsyncClient
    http: httpx.AsyncClient  # no token
    database: object

    def as_token(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.http._transport, base_url="http://notifications", headers={"Authorization": f"Bearer {token}"}
        )

    async def issue_token(self, *, name: str, role: Role, federation: str | None = None) -> str:
        mongo = make_mongo_client(self.settings.mongodb_url)
        try:
            return await TokenStore(mongo[self.settings.auth_database]["tokens"]).issue(name=name, role=role, federation=federation)
        finally:
            await mongo.close()

    async def subscribe(self, channel: dict, *, client: httpx.AsyncClient | None = None, **body) -> dict:
        response = await (client or self.admin).post("/api/v1/subscriptions", json={"channel": channel, **body})
        assert response.status_code == 201, response.text
        return response.json()


@asynccontextmanager
async def running_service(settings: NotificationsSettings, **app_options: Any) -> AsyncIterator[RunningService]:
    app = create_app(settings, **app_options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        mongo = make_mongo_client(settings.mongodb_url)
        async with (
            httpx.AsyncClient(
                transport=transport, base_url="http://notifications", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
            ) as admin,
            httpx.AsyncClient(transport=transport, base_url="http://notifications") as anonymous,
        ):
            try:
                yield RunningService(settings=settings, admin=admin, http=anonymous, database=mongo[settings.database])
            finally:
                await mongo.close()


@pytest.fixture
async def service(notifications_settings) -> AsyncIterator[RunningService]:
    async with running_service(notifications_settings) as running:
        yield running


def webhook(url: str, secret: str = "a-shared-secret-of-32-characters") -> dict:
    return {"type": "webhook", "url": url, "secret": secret}
