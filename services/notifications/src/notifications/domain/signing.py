"""Webhook signatures: `X-Organising-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC key is the subscription's secret; the signed text is `f"{t}.".encode() + raw_body`.
Signing the timestamp with the body lets a receiver refuse replays of an old request.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Organising-Signature"
TIMESTAMP_HEADER = "X-Organising-Timestamp"
DELIVERY_HEADER = "X-Organising-Delivery"
EVENT_HEADER = "X-Organising-Event-Id"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (README shows the same in a few lines)."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
