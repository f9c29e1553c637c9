"""The service's collections, their indexes, and the shape of a delivery row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from notifications.domain.notices import Notice

SUBSCRIPTIONS = "subscriptions"
DELIVERIES = "deliveries"
CASES = "cases"


class DeliveryStatus:
    PENDING = "pending"  # waiting for its first attempt
    SENDING = "sending"  # claimed by a worker until `lease_until`
    RETRYING = "retrying"  # failed, next attempt at `next_attempt_at`
    DELIVERED = "delivered"  # the receiver accepted it: never sent again
    FAILED = "failed"  # gave up after the last attempt (a manual retry re-queues it)
    CANCELLED = "cancelled"  # its subscription was deleted before it went out

    ALL = ("pending", "sending", "retrying", "delivered", "failed", "cancelled")


async def ensure_indexes(database: AsyncDatabase) -> None:
    # The dispatcher's reads and writes, each filter covered exactly (notifications.dispatcher
    # says why): due rows by status and time, the claim's and the record's compare-and-set. No
    # more: every index is one more entry to move on each of a delivery's three writes.
    await database[DELIVERIES].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
    await database[DELIVERIES].create_index([("status", ASCENDING), ("attempts", ASCENDING), ("_id", ASCENDING)])
    await database[DELIVERIES].create_index([("owner", ASCENDING), ("created_at", DESCENDING)])
    await database[DELIVERIES].create_index([("subscription_id", ASCENDING), ("created_at", DESCENDING)])
    await database[CASES].create_index([("open", ASCENDING), ("last_activity_on", ASCENDING)])
    await database[SUBSCRIPTIONS].create_index([("owner", ASCENDING), ("created_at", ASCENDING)])


def delivery_id(subscription_id: str, notice_id: str) -> str:
    """Stable per (subscription, event): the row's key and the header receivers deduplicate on."""
    return f"{subscription_id}:{notice_id}"


def receiver_of(channel: Mapping[str, Any]) -> str:
    """What one slow receiver is: a web host (with port), or a mail domain."""
    if channel["type"] == "webhook":
        parts = urlsplit(channel["url"])
        return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    return "mail:" + channel["address"].rsplit("@", 1)[-1].lower()


def new_delivery_op(subscription: Mapping[str, Any], notice: Notice, now: datetime) -> UpdateOne:
    """Insert-if-absent: the same (subscription, event) seen again changes nothing."""
    row = {
        "subscription_id": subscription["_id"],
        "owner": subscription.get("owner"),
        "channel": subscription["channel"]["type"],
        "receiver": receiver_of(subscription["channel"]),
        "event_id": notice.notice_id,
        "notice_type": notice.notice_type.value,
        "urgent": notice.urgent,
        "notice": notice.model_dump(mode="json"),
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "manual_retries": 0,
        "next_attempt_at": now,
        "created_at": now,
        "last_attempt_at": None,
        "delivered_at": None,
        "last_error": None,
        "last_duration_ms": None,
    }
    return UpdateOne({"_id": delivery_id(subscription["_id"], notice.notice_id)}, {"$setOnInsert": row}, upsert=True)
