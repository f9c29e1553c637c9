"""The reporting service's settings (environment prefix ORGANISING_)."""

from __future__ import annotations

from pydantic import Field

from organising_shared.settings import OrganisingSettings


class ReportingSettings(OrganisingSettings):
    port: int = 8002
    database: str = "organising_reporting"
    consumer_group: str = "reporting"
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
