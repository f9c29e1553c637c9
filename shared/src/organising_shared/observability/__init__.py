"""What operators see of a running service, one module per concern:

- `scrape`: values computed when Prometheus scrapes `/metrics` (async reads, no hot-path cost);
- `lag`: Kafka consumer lag per partition, read from the consumers at scrape time;
- `http`: one ASGI middleware for request ids, request latency by route and a server span;
- `tracing`: W3C trace context across HTTP, the outbox, Kafka and the projections (OpenTelemetry);
- `logs`: JSON log lines carrying the request id, the trace id and the event id.

The projection metrics themselves stay in `organising_shared.metrics`.
"""
