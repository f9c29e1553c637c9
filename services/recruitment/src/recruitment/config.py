from __future__ import annotations

from organising_shared.settings import OrganisingSettings


class RecruitmentSettings(OrganisingSettings):
    port: int = 8001
    database: str = "organising_recruitment"
