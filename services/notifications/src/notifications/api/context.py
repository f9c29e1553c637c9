"""What the routes need from the running service, as a typed dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from notifications.config import NotificationsSettings
from notifications.domain.secrets import SecretBox


@dataclass
class NotificationsContext:
    database: AsyncDatabase
    settings: NotificationsSettings
    dispatcher: Any  # has wake()
    secrets: SecretBox


def _context(request: Request) -> NotificationsContext:
    return request.app.state.notifications


Context = Annotated[NotificationsContext, Depends(_context)]


class Problem(BaseModel):
    detail: str


# Documented on every route of the API (FastAPI documents 422 by itself).
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No bearer token, or an unknown or revoked one"},
    403: {"model": Problem, "description": "The token's role may not do this, or not for that federation"},
}
