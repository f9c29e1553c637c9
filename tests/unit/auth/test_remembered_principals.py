"""An authenticator that remembers token holders: for a while, never a refusal, and not past a
revocation made in this process."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from organising_shared.auth import Principal, Role, TokenStore
from organising_shared.auth.dependencies import Authenticator

VIEWER = Principal(name="dashboard", role=Role.VIEWER)


class Store:
    """Stands in for TokenStore.principal_for (the real one is exercised by the integration tests)."""

    def __init__(self, holders: dict[str, Principal]) -> None:
        self.holders = holders
        self.lookups = 0
        self.release = asyncio.Event()  # cleared: lookups wait, as on a slow store
        self.release.set()

    async def principal_for(self, token: str) -> Principal | None:
        self.lookups += 1
        await self.release.wait()
        return self.holders.get(token)


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


class Tokens:
    """A collection double for TokenStore.revoke: reports one token revoked."""

    async def update_many(self, query, update):
        return SimpleNamespace(modified_count=1)


async def test_without_remembering_every_request_asks_the_store():
    store = Store({"t": VIEWER})
    authenticator = Authenticator(store, admin_token=None)
    for _ in range(3):
        assert await authenticator.authenticate("t") == VIEWER
    assert store.lookups == 3


async def test_a_holder_is_remembered_for_the_given_seconds_only():
    store, clock = Store({"t": VIEWER}), Clock()
    authenticator = Authenticator(store, admin_token=None, clock=clock).remembering(2.0)
    assert await authenticator.authenticate("t") == VIEWER
    clock.now += 0.9
    assert await authenticator.authenticate("t") == VIEWER
    await settle()
    assert store.lookups == 1
    clock.now += 1.2
    del store.holders["t"]  # revoked elsewhere (another process): seen once the holder is forgotten
    assert await authenticator.authenticate("t") is None
    assert store.lookups == 2


async def test_past_half_its_time_a_holder_is_looked_up_again_while_still_answering():
    store, clock = Store({"t": VIEWER}), Clock()
    authenticator = Authenticator(store, admin_token=None, clock=clock).remembering(2.0)
    assert await authenticator.authenticate("t") == VIEWER
    clock.now += 1.5
    store.release.clear()  # the store is slow: nobody waits for it
    assert await authenticator.authenticate("t") == VIEWER
    assert await authenticator.authenticate("t") == VIEWER
    del store.holders["t"]  # revoked elsewhere meanwhile
    store.release.set()
    await settle()
    assert store.lookups == 2  # one background lookup for both requests
    assert await authenticator.authenticate("t") is None  # what it found applies at once


async def test_concurrent_first_requests_share_one_lookup():
    store = Store({"t": VIEWER})
    store.release.clear()
    authenticator = Authenticator(store, admin_token=None, clock=Clock()).remembering(2.0)
    waiting = [asyncio.ensure_future(authenticator.authenticate("t")) for _ in range(50)]
    await settle()
    store.release.set()
    assert await asyncio.gather(*waiting) == [VIEWER] * 50
    assert store.lookups == 1


async def test_an_unknown_token_is_never_remembered():
    store = Store({})
    authenticator = Authenticator(store, admin_token=None, clock=Clock()).remembering(60)
    assert await authenticator.authenticate("new") is None
    store.holders["new"] = VIEWER  # issued a moment later: works at once
    assert await authenticator.authenticate("new") == VIEWER


async def test_a_revocation_in_this_process_forgets_every_holder_at_once():
    store = Store({"t": VIEWER, "u": VIEWER})
    authenticator = Authenticator(store, admin_token=None, clock=Clock()).remembering(60)
    assert await authenticator.authenticate("t") == VIEWER
    assert await authenticator.authenticate("u") == VIEWER
    del store.holders["t"]
    # Any TokenStore of this process, not only the authenticator's own.
    assert await TokenStore(Tokens()).revoke("dashboard") == 1
    assert await authenticator.authenticate("t") is None
    assert await authenticator.authenticate("u") == VIEWER
    assert store.lookups == 4


async def test_the_admin_token_needs_no_store_and_others_are_not_admins():
    store = Store({})
    authenticator = Authenticator(store, admin_token="secret-admin-token", clock=Clock()).remembering(60)
    assert (await authenticator.authenticate("secret-admin-token")).is_admin
    assert await authenticator.authenticate("secret-admin-tokeN") is None
    assert store.lookups == 1


async def test_the_memory_stays_bounded():
    store = Store({f"t{i}": VIEWER for i in range(10)})
    authenticator = Authenticator(store, admin_token=None, max_remembered=4, clock=Clock(), remember_seconds=60)
    for i in range(10):
        assert await authenticator.authenticate(f"t{i}") == VIEWER
    assert len(authenticator._remembered) <= 4
    assert await authenticator.authenticate("t9") == VIEWER
    assert store.lookups == 10
