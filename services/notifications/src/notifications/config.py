from __future__ import annotations

from organising_shared.settings import OrganisingSettings


class NotificationsSettings(OrganisingSettings):
    port: int = 8003
    database: str = "organising_notifications"
