"""What the gateway exports on /metrics, beside `organising_dead_letters_total{consumer="gateway"}`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

FORWARDED = Counter(
    "organising_gateway_forwarded", "Events forwarded from a federation's ingress topic to the contract's topic", ["federation", "topic"]
)
LAG = Gauge(
    "organising_gateway_lag_records",
    "Records on a federation's ingress topic not yet forwarded or dead-lettered (as of the gateway's last fetch)",
    ["federation"],
)
