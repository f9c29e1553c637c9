"""Request and response bodies of the subscriptions and deliveries API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, SecretStr

from notifications.domain.notices import NoticeType
from organising_shared.events import FreeText
from organising_shared.reference import FEDERATION_CODE_PATTERN, Sector, ViolationCategory

FederationCode = Annotated[str, Field(pattern=FEDERATION_CODE_PATTERN, examples=["FSPMI"])]


class Filters(BaseModel):
    """Every list that is not empty must match; an empty list matches anything."""

    model_config = ConfigDict(extra="forbid")

    event_types: list[NoticeType] = Field(default_factory=list, examples=[["ViolationReported", "CaseStalled"]])
    sectors: list[Sector] = Field(default_factory=list, examples=[["cement"]])
    federations: list[FederationCode] = Field(default_factory=list, examples=[["FSPMI"]])
    categories: list[ViolationCategory] = Field(
        default_factory=list,
        description="Violation categories; notices without a category (milestones, new units) do not match a category filter",
        examples=[["union_busting"]],
    )


class WebhookChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook"]
    url: HttpUrl = Field(
        max_length=2048, description="http(s) URL the notice is POSTed to", examples=["https://legal.fspmi.example/hooks/organising"]
    )
    secret: SecretStr = Field(min_length=16, max_length=256, description="HMAC-SHA256 key for X-Organising-Signature; never shown again")


class EmailChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["email"]
    address: EmailStr = Field(examples=["advokasi@fspmi.example"])


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    federation: FederationCode | None = Field(
        default=None,
        description="Owner. A federation token may only name its own (the default); the admin may name any, or none for all events",
    )
    description: FreeText | None = Field(default=None, max_length=200, examples=["Tim hukum: union busting di sektor semen"])
    channel: Annotated[WebhookChannelCreate | EmailChannelCreate, Field(discriminator="type")]
    filters: Filters = Field(default_factory=Filters)
    paused: bool = False


class WebhookChannelPublic(BaseModel):
    type: Literal["webhook"]
    url: str
    secret_set: bool = True


class EmailChannelPublic(BaseModel):
    type: Literal["email"]
    address: str


class SubscriptionPublic(BaseModel):
    id: str
    federation: str | None = Field(description="Owner; null: the admin's, receiving every federation's notices")
    description: str | None
    channel: Annotated[WebhookChannelPublic | EmailChannelPublic, Field(discriminator="type")]
    filters: Filters
    paused: bool
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> SubscriptionPublic:
        channel = dict(row["channel"])
        channel.pop("secret", None)
        channel.pop("secret_sealed", None)
        return cls(
            id=row["_id"],
            federation=row.get("owner"),
            description=row.get("description"),
            channel=channel,  # type: ignore[arg-type]  # validated into its model by pydantic
            filters=Filters(**row.get("filters", {})),
            paused=row.get("paused", False),
            created_at=row["created_at"],
            created_by=row["created_by"],
        )


class DeliveryPublic(BaseModel):
    id: str = Field(description="`<subscription_id>:<event_id>`, the X-Organising-Delivery header")
    subscription_id: str
    federation: str | None
    channel: Literal["webhook", "email"]
    receiver: str = Field(description="Web host:port or mail domain the delivery goes to")
    event_id: str
    notice_type: NoticeType
    urgent: bool
    status: Literal["pending", "sending", "retrying", "delivered", "failed", "cancelled"]
    attempts: int
    manual_retries: int
    last_error: str | None
    created_at: datetime
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="When the next attempt is due (pending and retrying only)")
    delivered_at: datetime | None
    last_duration_ms: int | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> DeliveryPublic:
        waiting = row["status"] in ("pending", "retrying")
        return cls(
            id=row["_id"],
            subscription_id=row["subscription_id"],
            federation=row.get("owner"),
            channel=row["channel"],
            receiver=row["receiver"],
            event_id=row["event_id"],
            notice_type=row["notice_type"],
            urgent=row.get("urgent", False),
            status=row["status"],
            attempts=row.get("attempts", 0),
            manual_retries=row.get("manual_retries", 0),
            last_error=row.get("last_error"),
            created_at=row["created_at"],
            first_attempt_at=row.get("first_attempt_at"),
            last_attempt_at=row.get("last_attempt_at"),
            next_attempt_at=row.get("next_attempt_at") if waiting else None,
            delivered_at=row.get("delivered_at"),
            last_duration_ms=row.get("last_duration_ms"),
        )
