"""The notifications service's own metrics: what became of each delivery attempt."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DELIVERY_ATTEMPTS = Counter(
    "organising_delivery_attempts",
    "Delivery attempts by channel (webhook, email) and outcome: delivered, retrying (failed, tried "
    "again later), failed (failed for good), cancelled (subscription deleted)",
    ["channel", "outcome"],
)
DELIVERY_SECONDS = Histogram(
    "organising_delivery_attempt_seconds",
    "Time a receiver (web host or mail server) took to accept or refuse an attempt",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
