"""What a channel is: something that sends one delivery or says, in words, why it could not."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol


class DeliveryError(Exception):
    """An attempt failed; `reason` goes to the delivery log (no personal data, no secrets)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    async def send(self, delivery: Mapping[str, Any], subscription: Mapping[str, Any]) -> None: ...


def payload(delivery: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON a webhook receives (and the facts an e-mail lists)."""
    notice = delivery["notice"]
    return {
        "delivery_id": delivery["_id"],
        "event_id": delivery["event_id"],
        "notice_type": notice["notice_type"],
        "urgent": notice["urgent"],
        "occurred_at": notice["occurred_at"],
        "federation": notice["federation"],
        "sector": notice["sector"],
        "category": notice["category"],
        "title": notice["title"],
        "message": notice["message"],
        "facts": notice["facts"],
    }


def payload_bytes(delivery: Mapping[str, Any]) -> bytes:
    # Stable bytes for the same delivery: a retry sends exactly what the first attempt sent.
    return json.dumps(payload(delivery), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
