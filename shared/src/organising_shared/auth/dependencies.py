"""FastAPI dependencies: `CurrentPrincipal` in a route's signature authenticates the caller.

Each app sets `app.state.authenticator` in its lifespan (see `Authenticator`).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from organising_shared.auth.principal import Principal, Role
from organising_shared.auth.tokens import TokenStore

_bearer = HTTPBearer(auto_error=False, description="Bearer token issued with `organising-tokens issue`")


class Authenticator:
    def __init__(self, store: TokenStore, *, admin_token: str | None) -> None:
        self._store = store
        self._admin_token = admin_token

    async def authenticate(self, token: str) -> Principal | None:
        if self._admin_token and hmac.compare_digest(token.encode(), self._admin_token.encode()):
            return Principal(name="admin", role=Role.ADMIN)
        return await self._store.principal_for(token)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    principal = await request.app.state.authenticator.authenticate(credentials.credentials)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"})
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


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
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this token may not act for federation {federation}")
