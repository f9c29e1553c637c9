"""What the routes need from the running service, as a typed dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo.asynchronous.database import AsyncDatabase

from notifications.config import NotificationsSettings


@dataclass
class NotificationsContext:
    database: AsyncDatabase
    settings: NotificationsSettings
    dispatcher: Any  # has wake()


def _context(request: Request) -> NotificationsContext:
    return request.app.state.notifications


Context = Annotated[NotificationsContext, Depends(_context)]
