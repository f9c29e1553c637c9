"""The notifications service's own metrics: what became of each delivery attempt."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
DELIVERIES_CLAIMED = Gauge(
    "organising_deliveries_claimed",
    "Deliveries this instance holds: `sending` (an attempt in flight) or `waiting` (claimed, waiting for a slot of its receiver)",
    ["state"],
)
OUTCOME_WRITES_PENDING = Gauge(
    "organising_delivery_outcomes_unwritten",
    "Attempt outcomes waiting to be written to the delivery log (written in groups, one round trip per group)",
)
CLAIM_SECONDS = Histogram(
    "organising_delivery_claim_seconds",
    "Time one claim took: the search for due deliveries, the claim itself and the read of what was claimed",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
