"""What the routes need from the running service, as a typed dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo.asynchronous.database import AsyncDatabase

from notifications.config import NotificationsSettings
from notifications.domain.secrets import SecretBox
from organising_shared.auth.dependencies import ensure_may_act_for
from organising_shared.auth.principal import Principal
from organising_shared.problems import Problem


@dataclass
class NotificationsContext:
    database: AsyncDatabase
    settings: NotificationsSettings
    dispatcher: Any  # has wake()
    secrets: SecretBox


def _context(request: Request) -> NotificationsContext:
    return request.app.state.notifications


Context = Annotated[NotificationsContext, Depends(_context)]


# Documented on every route of the API, as the shared problem details (organising_shared.problems).
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No bearer token, or an unknown or revoked one"},
    403: {"model": Problem, "description": "The token's role may not do this, or not for that federation"},
}


def owner_filter(principal: Principal, federation: str | None) -> dict[str, Any]:
    """Which owner's rows a listing may show: a federation only its own, an admin any (or all)."""
    if not principal.is_admin:
        if federation is not None:
            ensure_may_act_for(principal, federation)
        return {"owner": principal.federation}
    return {"owner": federation} if federation is not None else {}
