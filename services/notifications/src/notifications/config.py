"""The notifications service's settings (environment prefix ORGANISING_, like every service)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from organising_shared.settings import OrganisingSettings


class NotificationsSettings(OrganisingSettings):
    port: int = 8003
    database: str = "organising_notifications"
    consumer_group: str = "notifications"

    # Webhook targets: private, loopback and link-local addresses are refused (SSRF) unless the
    # operator runs receivers on such a network on purpose.
    allow_private_webhooks: bool = Field(default=False, description="ORGANISING_ALLOW_PRIVATE_WEBHOOKS")

    webhook_secret_keys: SecretStr | None = Field(
        default=None,
        description="ORGANISING_WEBHOOK_SECRET_KEYS: comma-separated Fernet keys sealing webhook secrets at rest (first seals; all open)",
    )

    # Delivery.
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_backoff_base_seconds: float = Field(default=5.0, gt=0)
    delivery_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    delivery_attempt_timeout_seconds: float = Field(default=10.0, gt=0, description="Per attempt: connect, send and answer")
    delivery_concurrency: int = Field(default=32, ge=1, description="Attempts in flight at once")
    delivery_per_receiver_concurrency: int = Field(default=4, ge=1, description="Attempts in flight to one host or mail domain")
    delivery_poll_seconds: float = Field(default=1.0, gt=0, description="How often due retries are looked for")

    # Case stalled check.
    stalled_case_days: int = Field(default=30, ge=1, description="An open case without activity this many days is stalled")
    stalled_check_interval_seconds: float = Field(default=86400.0, gt=0, description="How often the check runs (daily)")

    # Time-based alerts (plan item overdue, case deadline near/passed, PKB expiring).
    alert_check_interval_seconds: float = Field(
        default=900.0, gt=0, description="How often the alert evaluator runs besides after relevant events (15 minutes)"
    )

    # SMTP.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_use_tls: bool = Field(default=False, description="Implicit TLS from the first byte (port 465)")
    smtp_start_tls: bool | None = Field(default=None, description="STARTTLS: true requires it, false never, unset when offered")
    smtp_validate_certs: bool = True
    smtp_sender: str = "notifikasi@organising.invalid"

    delivery_lease_seconds: float | None = Field(
        default=None, gt=0, description="How long a claimed attempt is reserved (default: 3 × timeout + 5 s)"
    )

    @property
    def secret_keys(self) -> list[str]:
        if self.webhook_secret_keys is None:
            return []
        return [key.strip() for key in self.webhook_secret_keys.get_secret_value().split(",") if key.strip()]

    @property
    def lease_seconds(self) -> float:
        """Past this, a claim of a crashed worker is taken over; it must outlast one attempt."""
        if self.delivery_lease_seconds is not None:
            return max(self.delivery_lease_seconds, self.delivery_attempt_timeout_seconds + 1)
        return self.delivery_attempt_timeout_seconds * 3 + 5
