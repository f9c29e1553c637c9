from __future__ import annotations

from organising_shared.settings import OrganisingSettings


class ReportingSettings(OrganisingSettings):
    port: int = 8002
    database: str = "organising_reporting"
    consumer_group: str = "reporting"
