"""Rotating the recruitment master key against the real store, while the service takes writes.

Members are sealed under key A by the running service; `organising-recruitment-keys rotate`
(the installed command, in its own process) moves every data key under B with A still listed;
then A is removed and everything still opens, identical. Writes made during a rotation are
neither lost nor overwritten, and nothing the commands print holds personal data.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from organising_shared.rotation import RotationTally, rewrite_batch
from recruitment.config import RecruitmentSettings
from recruitment.key_rotation import count_member_keys, rewrap_plan, rotate_member_keys
from recruitment.main import create_app
from recruitment.master_keys import master_key_id
from recruitment.store import MEMBER_KEYS, MEMBERS
from recruitment.vault import Vault
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens

pytestmark = pytest.mark.integration

KEY_A, KEY_B = os.urandom(32), os.urandom(32)
COMMAND = Path(sys.executable).with_name("organising-recruitment-keys")


def encoded(*keys: bytes) -> str:
    return ",".join(base64.urlsafe_b64encode(key).decode() for key in keys)


def with_keys(settings: RecruitmentSettings, *keys: bytes) -> RecruitmentSettings:
    return settings.model_copy(update={"master_key": SecretStr(encoded(*keys))})


def vault(*keys: bytes) -> Vault:
    return Vault(master_keys=list(keys), pseudonym_secret=b"p", lookup_secret=b"l")


@asynccontextmanager
async def service(settings: RecruitmentSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://recruitment") as http,
    ):
        yield http


class People:
    """Members registered through the service, and what was submitted for each."""

    def __init__(self) -> None:
        self.submitted: dict[str, dict[str, str]] = {}
        self._count = 0

    async def register(self, http: httpx.AsyncClient, token: str) -> str:
        self._count += 1
        person = {"full_name": f"Anggota Rotasi {self._count:03d}", "phone": f"+62812000{self._count:05d}", "nik": payloads.new_nik()}
        response = await http.post("/api/v1/members", json=payloads.member(**person), headers=Tokens.header(token))
        assert response.status_code == 201, response.text
        self.submitted[response.json()["member_ref"]] = person
        return response.json()["member_ref"]

    def strings(self) -> list[str]:
        return [value for person in self.submitted.values() for value in person.values()]


async def opened(db, keys: Vault) -> dict[str, dict[str, str]]:
    """Every member's personal data, opened the way the service opens it."""
    wrapped = {row["_id"]: row async for row in db[MEMBER_KEYS].find({})}
    return {
        member["_id"]: keys.open(
            member["_id"], wrapped[member["_id"]]["wrapped_key"], member["sealed"], wrapped[member["_id"]].get("key_id")
        )
        async for member in db[MEMBERS].find({"sealed": {"$exists": True}})
    }


async def run_keys_command(settings: RecruitmentSettings, keys: str, *args: str) -> tuple[int, str]:
    environment = {
        **os.environ,
        "MONGODB_URL": settings.mongodb_url,
        "ORGANISING_DATABASE": settings.database,
        "ORGANISING_RECRUITMENT_MASTER_KEY": keys,
    }
    process = await asyncio.create_subprocess_exec(
        str(COMMAND), *args, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    async with asyncio.timeout(120):
        output, _ = await process.communicate()
    return process.returncode, output.decode()


async def test_rotate_to_a_new_key_then_remove_the_old_one(recruitment_settings, tokens, db):
    people = People()
    async with service(with_keys(recruitment_settings, KEY_A)) as http:
        for _ in range(12):
            await people.register(http, tokens.fspmi)
        without_data = await http.post(
            "/api/v1/members", json=payloads.member(full_name=None, phone=None, nik=None), headers=Tokens.header(tokens.fspmi)
        )
        assert without_data.status_code == 201
    assert await opened(db, vault(KEY_A)) == people.submitted

    code, before = await run_keys_command(recruitment_settings, encoded(KEY_B, KEY_A), "status")
    assert code == 0, before
    assert (
        f"key 2 of 2 [{master_key_id(KEY_A)}]: 12" in before
        and f"key 1 of 2 [{master_key_id(KEY_B)}] (newest: seals new ones): 0" in before
    )

    code, rotated = await run_keys_command(recruitment_settings, encoded(KEY_B, KEY_A), "rotate", "--batch-size", "5")
    assert code == 0, rotated
    assert "12 of 12 looked at (100 %): 12 re-sealed" in rotated
    assert "the older keys may be removed" in rotated

    # Key A removed: the service's vault opens every member with B alone, and every field is as submitted.
    assert await opened(db, vault(KEY_B)) == people.submitted
    code, verified = await run_keys_command(recruitment_settings, encoded(KEY_B), "status", "--verify")
    assert code == 0 and f"key 1 of 1 [{master_key_id(KEY_B)}] (newest: seals new ones): 12" in verified, verified

    # Run again: nothing left to do, nothing changed.
    stored = [row async for row in db[MEMBER_KEYS].find({}, sort=[("_id", 1)])]
    code, again = await run_keys_command(recruitment_settings, encoded(KEY_B, KEY_A), "rotate")
    assert code == 0 and "0 of 0 looked at" in again, again
    assert [row async for row in db[MEMBER_KEYS].find({}, sort=[("_id", 1)])] == stored

    # The service restarted with B alone takes new members under B.
    async with service(with_keys(recruitment_settings, KEY_B)) as http:
        await people.register(http, tokens.fspmi)
    assert await opened(db, vault(KEY_B)) == people.submitted

    for output in (before, rotated, verified, again):
        for value in people.strings():
            assert value not in output, "personal data in the command's output"


async def test_writes_during_a_rotation_are_neither_lost_nor_overwritten(recruitment_settings, tokens, db):
    people = People()
    old_settings, new_settings = with_keys(recruitment_settings, KEY_A), with_keys(recruitment_settings, KEY_B, KEY_A)
    async with service(old_settings) as old_service, service(new_settings) as new_service:
        for _ in range(9):
            await people.register(old_service, tokens.fspmi)
        erased: list[str] = []

        async def meanwhile(tally: RotationTally) -> None:
            # After the first batch: one instance already has the new key, one still has only the
            # old one (a rolling restart), and a member not yet rotated is erased.
            if tally.seen != 3:
                return
            await people.register(new_service, tokens.fspmi)
            await people.register(old_service, tokens.fspmi)
            untouched = await db[MEMBER_KEYS].find_one({"key_id": master_key_id(KEY_A)}, sort=[("_id", -1)])
            response = await new_service.delete(f"/api/v1/members/{untouched['_id']}/personal-data", headers=Tokens.header(tokens.fspmi))
            assert response.status_code == 200
            erased.append(untouched["_id"])

        tally = await rotate_member_keys(db, vault(KEY_B, KEY_A), batch_size=3, on_batch=meanwhile)
    assert erased, "the rotation never reached its second batch"
    del people.submitted[erased[0]]
    assert tally.unreadable == 0 and tally.rewritten + tally.changed_meanwhile == tally.seen

    # Nothing lost, the erased member not brought back, every other member intact.
    assert await db[MEMBER_KEYS].find_one({"_id": erased[0]}) is None
    assert await opened(db, vault(KEY_B, KEY_A)) == people.submitted

    # The member written under A by the lagging instance is either behind the walk or was re-wrapped;
    # the counts say which, and running again finishes the job.
    counts = await count_member_keys(db, vault(KEY_B, KEY_A))
    assert counts.by_key[master_key_id(KEY_A)] in (0, 1) and counts.total == len(people.submitted)
    await rotate_member_keys(db, vault(KEY_B, KEY_A))
    assert (await count_member_keys(db, vault(KEY_B), verify=True)).by_key == {master_key_id(KEY_B): len(people.submitted)}
    assert await opened(db, vault(KEY_B)) == people.submitted


async def test_a_key_changed_or_deleted_between_read_and_write_is_left_as_the_other_writer_left_it(db):
    old = vault(KEY_A)
    for member_id in ("m_a", "m_b", "m_c"):
        sealed = old.seal(member_id, {"nik": "3216012345670001"})
        await db[MEMBER_KEYS].insert_one({"_id": member_id, "wrapped_key": sealed.wrapped_key, "key_id": sealed.key_id})
    read = [row async for row in db[MEMBER_KEYS].find({}, sort=[("_id", 1)])]

    # Between the rotation's read and its write: one member is erased, another re-wrapped by someone else.
    await db[MEMBER_KEYS].delete_one({"_id": "m_a"})
    theirs = vault(KEY_B, KEY_A).rewrap("m_b", read[1]["wrapped_key"])
    await db[MEMBER_KEYS].update_one({"_id": "m_b"}, {"$set": {"wrapped_key": theirs.blob, "key_id": theirs.key_id}})

    tally = RotationTally(total=3)
    await rewrite_batch(db[MEMBER_KEYS], read, rewrap_plan(vault(KEY_B, KEY_A)), tally)
    assert (tally.rewritten, tally.changed_meanwhile) == (1, 2)
    assert await db[MEMBER_KEYS].find_one({"_id": "m_a"}) is None
    assert (await db[MEMBER_KEYS].find_one({"_id": "m_b"}))["wrapped_key"] == theirs.blob
    assert vault(KEY_B).wrapped_under("m_c", (await db[MEMBER_KEYS].find_one({"_id": "m_c"}))["wrapped_key"]) == master_key_id(KEY_B)
