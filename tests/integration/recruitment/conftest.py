"""Fixtures for the recruitment service against the real broker and store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from organising_shared.auth import Role, TokenStore
from organising_shared.mongo import make_mongo_client
from recruitment.config import RecruitmentSettings
from recruitment.main import create_app

ADMIN_TOKEN = "org_test-admin-token-for-recruitment-tests"


@dataclass(frozen=True)
class Tokens:
    admin: str
    fspmi: str
    spn: str
    viewer: str

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def recruitment_settings(isolated_settings, namespace) -> RecruitmentSettings:
    return RecruitmentSettings(**{**isolated_settings.model_dump(), "admin_token": ADMIN_TOKEN}, database=f"{namespace}_recruitment")


@pytest.fixture
async def mongo(infrastructure):
    client = make_mongo_client(infrastructure.mongodb_url)
    yield client
    await client.close()


@pytest.fixture
async def tokens(recruitment_settings, mongo) -> Tokens:
    store = TokenStore(mongo[recruitment_settings.auth_database]["tokens"])
    return Tokens(
        admin=ADMIN_TOKEN,
        fspmi=await store.issue(name="fspmi-office", role=Role.FEDERATION, federation="FSPMI"),
        spn=await store.issue(name="spn-office", role=Role.FEDERATION, federation="SPN"),
        viewer=await store.issue(name="dashboard", role=Role.VIEWER, federation=None),
    )


@pytest.fixture
async def client(recruitment_settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(recruitment_settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://recruitment") as http:
            yield http


@pytest.fixture
def db(mongo, recruitment_settings):
    return mongo[recruitment_settings.database]
