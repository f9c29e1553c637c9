"""The reporting service's settings (environment prefix ORGANISING_)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from organising_shared.settings import OrganisingSettings


class ReportingSettings(OrganisingSettings):
    port: int = 8002
    database: str = "organising_reporting"
    consumer_group: str = "reporting"
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("http://127.0.0.1:8001", "http://localhost:8001"),
        description="ORGANISING_CORS_ORIGINS: comma-separated origins whose pages may call this API from a browser "
        "(the organisers' app, served by recruitment); empty when one host serves both (the TLS edge)",
    )
    batch_max_records: int = Field(default=20_000, ge=1, description="Most records applied in one transaction")
    event_log: bool = Field(
        default=False,
        description="Also keep an audit copy of every accepted event in the `events` collection, written after each "
        "batch commits (off by default: Kafka is the record, and the copy costs one stored document per event)",
    )
    progress_events: bool = Field(default=True, description="Announce milestones and falling behind from this instance (off: figures only)")
    progress_check_seconds: float = Field(
        default=60.0, gt=0, description="How often targets are checked for milestones and falling behind without new events"
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip().rstrip("/") for origin in value.split(",") if origin.strip())
        return value
