"""FastAPI dependencies: `CurrentPrincipal` in a route's signature authenticates the caller.

Each app sets `app.state.authenticator` in its lifespan (see `Authenticator`).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from organising_shared.auth.principal import Principal, Role
from organising_shared.auth.tokens import TokenStore, hash_token, revocations

_bearer = HTTPBearer(auto_error=False, description="Bearer token issued with `organising-tokens issue`")


class Authenticator:
    """Who holds a bearer token: the configured admin token, or an issued one from the store.

    With `remember_seconds` > 0 an issued token's holder is remembered for that long, so a busy
    read route does not ask the store on every request. The price: a token revoked by another
    process (the `organising-tokens` CLI, another instance) keeps working here for up to that
    long. A revocation made in this process (any `TokenStore.revoke`) forgets every remembered
    holder at once. Unknown and revoked tokens are never remembered: a token issued a moment
    ago works at once.

    Callers never queue behind the store for a token in use: concurrent first requests share one
    lookup, and a holder past half its time is looked up again in the background while the
    remembered one still answers (a revocation found that way is applied at once).
    """

    def __init__(
        self,
        store: TokenStore,
        *,
        admin_token: str | None,
        remember_seconds: float = 0.0,
        max_remembered: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._admin_token = admin_token
        self._remember_seconds = remember_seconds
        self._max_remembered = max_remembered
        self._clock = clock
        # hash of the token → (when looked up, revocation count then, holder)
        self._remembered: dict[str, tuple[float, int, Principal]] = {}
        self._lookups: dict[str, asyncio.Future] = {}  # hash of the token → its lookup in flight

    def remembering(self, seconds: float) -> Authenticator:
        """The same authenticator, remembering holders for `seconds` (see the class)."""
        return Authenticator(
            self._store, admin_token=self._admin_token, remember_seconds=seconds, max_remembered=self._max_remembered, clock=self._clock
        )

    async def authenticate(self, token: str) -> Principal | None:
        if self._admin_token and hmac.compare_digest(token.encode(), self._admin_token.encode()):
            return Principal(name="admin", role=Role.ADMIN)
        if self._remember_seconds <= 0:
            return await self._store.principal_for(token)
        key = hash_token(token)
        remembered = self._remembered.get(key)
        if remembered is not None and remembered[1] == revocations():
            age = self._clock() - remembered[0]
            if age < self._remember_seconds:
                if age >= self._remember_seconds / 2 and key not in self._lookups:
                    self._look_up(key, token).add_done_callback(_retrieve)
                return remembered[2]
        lookup = self._lookups.get(key) or self._look_up(key, token)
        return await asyncio.shield(lookup)

    def _look_up(self, key: str, token: str) -> asyncio.Future:
        lookup = asyncio.ensure_future(self._remember(key, token))
        self._lookups[key] = lookup
        lookup.add_done_callback(lambda _: self._lookups.pop(key, None))
        return lookup

    async def _remember(self, key: str, token: str) -> Principal | None:
        started, revoked = self._clock(), revocations()
        principal = await self._store.principal_for(token)
        if principal is None or revocations() != revoked:
            # Unknown or revoked (or a revocation landed meanwhile): not remembered, and forgotten.
            self._remembered.pop(key, None)
            return principal
        if key not in self._remembered and len(self._remembered) >= self._max_remembered:
            self._forget_old(started)
        self._remembered[key] = (started, revoked, principal)
        return principal

    def _forget_old(self, now: float) -> None:
        revoked = revocations()
        self._remembered = {k: v for k, v in self._remembered.items() if now - v[0] < self._remember_seconds and v[1] == revoked}
        if len(self._remembered) >= self._max_remembered:
            self._remembered.clear()


def _retrieve(lookup: asyncio.Future) -> None:
    # A background lookup's failure (the store away) is left for the next request to meet.
    if not lookup.cancelled():
        lookup.exception()


async def current_principal(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    principal = await request.app.state.authenticator.authenticate(credentials.credentials)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"})
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def request_principal(request: Request) -> Principal:
    """What `CurrentPrincipal` gives, for a hot route that takes only the request: the same header
    parsing and the same 401s, without FastAPI resolving two nested dependencies per request.
    Such a route declares the bearer scheme itself (`BEARER_SECURITY` in its `openapi_extra`)."""
    return await current_principal(request, await _bearer(request))


BEARER_SECURITY: list[dict[str, list[str]]] = [{_bearer.scheme_name: []}]


def require_role(*roles: Role):
    """A dependency that lets only the given roles through (403 for the others)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {allowed}")
        return principal

    return check


AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]
WriterPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.FEDERATION))]


def ensure_may_act_for(principal: Principal, federation: str) -> None:
    if not principal.may_act_for(federation):
        # Not the requested code: it was submitted, and may be anything.
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token may not act for that federation")
