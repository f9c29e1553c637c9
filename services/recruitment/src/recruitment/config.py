"""The recruitment service's settings (ORGANISING_* environment variables)."""

from __future__ import annotations

import base64
import logging

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from organising_shared.settings import OrganisingSettings

log = logging.getLogger(__name__)

# DEVELOPMENT ONLY. These let `make run` and the tests start without configuration; a deployment
# must set its own (see services/recruitment/README.md). `uses_development_secrets` warns loudly.
DEV_MASTER_KEY = base64.urlsafe_b64encode(b"dev-only-master-key-do-not-use!!").decode()
DEV_PSEUDONYM_SECRET = "dev-only-pseudonym-secret-do-not-use"
DEV_NIK_SECRET = "dev-only-nik-secret-do-not-use"


class RecruitmentSettings(OrganisingSettings):
    # A refused setting's error must not print the value: for the secrets below, it is the secret.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    port: int = 8001
    database: str = "organising_recruitment"
    producer_name: str = Field(default="kspi-recruitment", description="The envelope's `producer` of every event")

    master_key: SecretStr = Field(
        default=SecretStr(DEV_MASTER_KEY),
        description="ORGANISING_RECRUITMENT_MASTER_KEY: 32 bytes, URL-safe base64; wraps each member's data key. "
        "Several, comma-separated and newest first, while rotating: the newest wraps, every one unwraps",
        validation_alias="ORGANISING_RECRUITMENT_MASTER_KEY",
    )
    pseudonym_secret: SecretStr = Field(
        default=SecretStr(DEV_PSEUDONYM_SECRET),
        description="ORGANISING_RECRUITMENT_PSEUDONYM_SECRET: keys member_ref",
        validation_alias="ORGANISING_RECRUITMENT_PSEUDONYM_SECRET",
    )
    nik_secret: SecretStr = Field(
        default=SecretStr(DEV_NIK_SECRET),
        description="ORGANISING_RECRUITMENT_NIK_SECRET: keys the NIK lookup hash and row fingerprints",
        validation_alias="ORGANISING_RECRUITMENT_NIK_SECRET",
    )

    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest JSON request body (413 above)")
    max_upload_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="Largest CSV upload (413 above)")
    reporting_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Where the organisers' app (/app) reads figures and sets targets: the reporting API's public URL",
    )
    intake_group_max_writes: int = Field(
        default=64, ge=1, description="Most writes committed together in one transaction (group commit; 1: one at a time)"
    )
    intake_group_linger_seconds: float = Field(
        default=0.002, ge=0, description="How long a write waits for others to join its transaction (group commit)"
    )
    intake_group_in_flight: int = Field(
        default=2, ge=1, description="Group transactions committing at once per process (group commit; 1: one after another)"
    )
    import_chunk_rows: int = Field(default=1000, ge=1, description="Rows registered per store transaction in an import")
    import_stalled_seconds: float = Field(
        default=120.0, gt=0, description="A background import not updated for this long reads as interrupted (its replica stopped)"
    )
    relay_batch: int = Field(default=500, ge=1, description="Outbox rows the relay sends before marking them sent")
    relay_idle_seconds: float = Field(default=0.05, gt=0, description="Relay poll interval when the outbox is empty")
    relay_linger_seconds: float = Field(default=0.02, ge=0, description="Relay pause after a busy round, to batch the next")
    relay_retry_seconds: float = Field(default=1.0, gt=0, description="Relay back-off while Kafka is unreachable")
    relay_round_timeout_seconds: float = Field(
        default=60.0, gt=0, description="A publishing round not acknowledged by then is abandoned and the producer replaced"
    )
    relay_lease_seconds: float = Field(default=15.0, gt=0, description="How long a relay replica holds the outbox")

    @field_validator("master_key")
    @classmethod
    def _thirty_two_bytes_each(cls, value: SecretStr) -> SecretStr:
        # The messages name a key by its place in the list, never by its value.
        keys = _split_keys(value.get_secret_value())
        if not keys:
            raise ValueError("the recruitment master key is empty")
        for place, key in enumerate(keys, start=1):
            try:
                raw = base64.urlsafe_b64decode(key)
            except ValueError as error:
                raise ValueError(f"recruitment master key {place} of {len(keys)} must be URL-safe base64") from error
            if len(raw) != 32:
                raise ValueError(f"recruitment master key {place} of {len(keys)} must decode to 32 bytes")
        if len({base64.urlsafe_b64decode(key) for key in keys}) != len(keys):
            raise ValueError("a recruitment master key is listed twice")
        return value

    @property
    def master_keys_bytes(self) -> list[bytes]:
        """The master keys, newest first."""
        return [base64.urlsafe_b64decode(key) for key in _split_keys(self.master_key.get_secret_value())]

    @property
    def uses_development_secrets(self) -> bool:
        # The development master key counts anywhere in the list: while it is listed, it opens data.
        return DEV_MASTER_KEY in _split_keys(self.master_key.get_secret_value()) or any(
            secret.get_secret_value() in (DEV_PSEUDONYM_SECRET, DEV_NIK_SECRET) for secret in (self.pseudonym_secret, self.nik_secret)
        )


def _split_keys(value: str) -> list[str]:
    return [key.strip() for key in value.split(",") if key.strip()]
