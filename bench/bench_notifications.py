"""Notifications: webhook deliveries per second through the dispatcher (claim, sign, send, log),
against what the same receivers take from a bare HTTP client in the same run (the baseline: no
store, no claim, no log; the receivers' own ceiling as this machine serves them).

Two phases, each with its own receivers on loopback in a separate process (they are somebody
else's systems; sharing the dispatcher's event loop would slow both):

1. four receivers that take 50 ms to answer, 4 attempts at a time each (ceiling 4 × 4 / 0.05 s =
   320/s), plus a fifth that never answers within the attempt timeout (it must hold up nobody);
2. four receivers that answer at once: the dispatcher's own cost per delivery.

Delivery rows are queued straight into the store (the Kafka intake is the shared projector,
measured by the projection benchmarks); the dispatcher claims, signs, sends and records them
exactly as in production, each one logged as a delivery row.

    .venv/bin/python -m bench notifications
    BENCH_WEBHOOKS_PER_RECEIVER=100 .venv/bin/python -m bench notifications     (quicker)
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx
import uvicorn
from prometheus_client import REGISTRY

from bench.table import Row
from notifications.channels.webhook import WebhookSender, make_http_client
from notifications.config import NotificationsSettings
from notifications.dispatcher import Dispatcher
from notifications.domain.notices import Notice, NoticeType, Text
from notifications.domain.secrets import SecretBox
from notifications.domain.signing import signature
from notifications.store import DELIVERIES, SUBSCRIPTIONS, ensure_indexes, new_delivery_op, receiver_of
from organising_shared.mongo import make_mongo_client
from organising_shared.testing.infrastructure import local_store

RECEIVERS = 4
PER_RECEIVER = int(os.environ.get("BENCH_WEBHOOKS_PER_RECEIVER", "400"))
SLOTS = 4  # attempts at a time per receiver
ANSWER_SECONDS = 0.05
CEILING = RECEIVERS * SLOTS / ANSWER_SECONDS
ATTEMPT_TIMEOUT = 5.0
GIVE_UP_AFTER = 300.0
SECRET = "bench-secret-0123456789"


def _answer_after(delay: float):
    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


class _Quiet(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _serve_receivers(delays: list[float], ports, ready) -> None:
    """The receivers' process: one uvicorn server per delay, on one event loop."""

    async def serve() -> None:
        servers = [
            _Quiet(uvicorn.Config(_answer_after(delay), host="127.0.0.1", port=0, lifespan="off", log_level="critical", access_log=False))
            for delay in delays
        ]
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        while not all(server.started for server in servers):
            await asyncio.sleep(0.01)
        for index, server in enumerate(servers):
            ports[index] = server.servers[0].sockets[0].getsockname()[1]
        ready.set()
        await asyncio.gather(*tasks)

    asyncio.run(serve())


@contextlib.contextmanager
def receivers(delays: list[float]):
    """URLs of receivers answering after each of `delays` seconds, served by another process."""
    context = multiprocessing.get_context("spawn")
    ports = context.Array("i", len(delays))
    ready = context.Event()
    process = context.Process(target=_serve_receivers, args=(delays, ports, ready), daemon=True)
    process.start()
    try:
        if not ready.wait(60):
            raise SystemExit("the receivers did not start")
        yield [f"http://127.0.0.1:{port}/hook" for port in ports]
    finally:
        process.terminate()
        process.join(10)


def notice() -> Notice:
    return Notice(
        notice_id=str(uuid.uuid4()),
        notice_type=NoticeType.VIOLATION_REPORTED,
        urgent=False,
        occurred_at=datetime.now(UTC),
        federation="FSPMI",
        sector="cement",
        category="minimum_wage",
        title=Text(id="t", en="t"),
        message=Text(id="m", en="m"),
        facts={},
    )


async def bare_client(urls: list[str], per_receiver: int) -> float:
    """The baseline: signed POSTs from one pooled client, SLOTS at a time per receiver; deliveries/s."""
    body = b'{"bench":true}'
    async with httpx.AsyncClient(timeout=ATTEMPT_TIMEOUT, limits=httpx.Limits(max_connections=None)) as http:

        async def lane(url: str) -> None:
            for _ in range(per_receiver // SLOTS):
                now = int(time.time())
                headers = {"Content-Type": "application/json", "X-Organising-Signature": signature(SECRET, now, body)}
                (await http.post(url, content=body, headers=headers)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(lane(url) for url in urls for _ in range(SLOTS)))
        return len(urls) * (per_receiver // SLOTS) * SLOTS / (time.perf_counter() - started)


async def dispatcher_run(mongo_url: str, urls: list[str], hanging: list[str], per_receiver: int) -> tuple[float, float, int]:
    """Deliveries/s through the dispatcher, p95 seconds from start to delivered, failures."""
    settings = NotificationsSettings(
        mongodb_url=mongo_url,
        database=f"bench_{uuid.uuid4().hex[:8]}",
        allow_private_webhooks=True,
        delivery_concurrency=32,
        delivery_per_receiver_concurrency=SLOTS,
        delivery_attempt_timeout_seconds=ATTEMPT_TIMEOUT,
        delivery_max_attempts=1,
        delivery_poll_seconds=0.05,
    )
    mongo = make_mongo_client(mongo_url)
    database = mongo[settings.database]
    await ensure_indexes(database)
    subscriptions = []
    for url in urls + hanging:
        channel = {"type": "webhook", "url": url, "secret": SECRET}
        subscriptions.append(
            {"_id": str(uuid.uuid4()), "owner": None, "channel": channel, "receiver": receiver_of(channel), "filters": {}, "paused": False}
        )
    await database[SUBSCRIPTIONS].insert_many(subscriptions)
    healthy = subscriptions[: len(urls)]
    now = datetime.now(UTC)
    operations = [new_delivery_op(subscription, notice(), now) for subscription in healthy for _ in range(per_receiver)]
    operations += [new_delivery_op(subscription, notice(), now) for subscription in subscriptions[len(urls) :] for _ in range(SLOTS)]
    for start in range(0, len(operations), 1000):
        await database[DELIVERIES].bulk_write(operations[start : start + 1000], ordered=False)
    total = len(healthy) * per_receiver
    async with make_http_client() as http:
        sender = WebhookSender(http, timeout=ATTEMPT_TIMEOUT, allow_private=True, secrets=SecretBox([]))
        dispatcher = Dispatcher(database, {"webhook": sender}, settings)
        started = time.time()
        task = asyncio.create_task(dispatcher.run())
        finished = {"subscription_id": {"$in": [s["_id"] for s in healthy]}, "status": {"$in": ["delivered", "failed"]}}
        # Watched through the dispatcher's own metric: counting rows in the store every 50 ms
        # would scan the collection and slow the store the dispatcher is measured on.
        before = _outcomes()
        while (done := _outcomes() - before) < total:
            if time.time() - started > GIVE_UP_AFTER:
                raise SystemExit(f"gave up after {GIVE_UP_AFTER:.0f} s with {done} of {total} done")
            await asyncio.sleep(0.05)
        elapsed = time.time() - started
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    claims = REGISTRY.get_sample_value("organising_delivery_claim_seconds_count") or 0
    claim_seconds = REGISTRY.get_sample_value("organising_delivery_claim_seconds_sum") or 0
    print(f"  ({claims:.0f} claims so far, {claim_seconds / max(claims, 1) * 1000:.0f} ms each on average)", flush=True)
    rows = await database[DELIVERIES].find(finished, projection={"status": 1, "delivered_at": 1, "subscription_id": 1}).to_list()
    failed = sum(row["status"] == "failed" for row in rows)
    arrived = sorted(row["delivered_at"].replace(tzinfo=UTC).timestamp() - started for row in rows if row.get("delivered_at"))
    _print_spread(rows, started)
    await mongo.drop_database(settings.database)
    await mongo.close()
    p95 = statistics.quantiles(arrived, n=20)[18] if len(arrived) > 1 else float("nan")
    return total / elapsed, p95, failed


def _print_spread(rows: list[dict], started: float) -> None:
    """Where a run's time went: when the first delivery arrived (the ramp), how evenly the
    receivers were served (the last one done sets the figure), and deliveries per half second."""
    last: dict[str, float] = {}
    per_half_second: Counter[int] = Counter()
    for row in rows:
        if row.get("delivered_at"):
            at = row["delivered_at"].replace(tzinfo=UTC).timestamp() - started
            last[row["subscription_id"]] = max(at, last.get(row["subscription_id"], 0.0))
            per_half_second[int(at * 2)] += 1
    if not last:
        return
    first = min(per_half_second) / 2
    print(
        f"  receivers' last delivery {min(last.values()):.2f}-{max(last.values()):.2f} s after the start "
        f"(first within {first + 0.5:.1f} s); per half second: {[per_half_second[i] for i in range(max(per_half_second) + 1)]}",
        flush=True,
    )


def _outcomes() -> float:
    return sum(
        REGISTRY.get_sample_value("organising_delivery_attempts_total", {"channel": "webhook", "outcome": outcome}) or 0.0
        for outcome in ("delivered", "failed")
    )


async def measure(mongo_url: str) -> list[Row]:
    rows = []
    with receivers([ANSWER_SECONDS] * RECEIVERS + [60.0]) as urls:
        slow, hanging = urls[:RECEIVERS], urls[RECEIVERS:]
        ceiling = await bare_client(slow, PER_RECEIVER)
        rate, p95, failed = await dispatcher_run(mongo_url, slow, hanging, PER_RECEIVER)
    print(
        f"{RECEIVERS * PER_RECEIVER} webhooks to {RECEIVERS} receivers answering in {ANSWER_SECONDS * 1000:.0f} ms, plus one hanging receiver"
    )
    print(f"  baseline, bare pooled client, {SLOTS} at a time each: {ceiling:8.1f} /s (nominal ceiling {CEILING:.0f}/s)")
    print(f"  dispatcher (32, {SLOTS} per receiver):          {rate:8.1f} /s, p95 time to delivered {p95:5.2f} s, {failed} failed")
    print(f"  ratio: {rate / ceiling:.2f} of the bare client, {rate / CEILING:.2f} of the nominal ceiling (goal >= 0.80)", flush=True)
    rows.append(
        Row(
            f"webhook deliveries/s, {RECEIVERS} receivers answering in 50 ms, {SLOTS} at a time each (ceiling {CEILING:.0f}/s)",
            measured=rate,
            baseline=ceiling,
            baseline_is="bare pooled client, same receivers",
            unit="/s",
            goal=f"≥ {0.8 * CEILING:.0f}/s (80 % of the ceiling)",
            met=rate >= 0.8 * CEILING and failed == 0,
        )
    )
    with receivers([0.0] * RECEIVERS) as urls:
        bare = await bare_client(urls, PER_RECEIVER * 2)
        rate, p95, failed = await dispatcher_run(mongo_url, urls, [], PER_RECEIVER * 2)
    print(f"{RECEIVERS * PER_RECEIVER * 2} webhooks to {RECEIVERS} receivers answering at once")
    print(f"  baseline, bare pooled client, {SLOTS} at a time each: {bare:8.1f} /s")
    print(f"  dispatcher (signed, logged):                    {rate:8.1f} /s, p95 time to delivered {p95:5.2f} s, {failed} failed")
    print(f"  ratio: {rate / bare:.2f} of the bare client (goal >= 500/s)", flush=True)
    rows.append(
        Row(
            "webhook deliveries/s to receivers that answer at once, signed, logged",
            measured=rate,
            baseline=bare,
            baseline_is="bare pooled client, same receivers",
            unit="/s",
            goal="≥ 500/s",
            met=rate >= 500 and failed == 0,
        )
    )
    return rows


def main() -> list[Row]:
    # The store alone: rows are queued straight into it, and a broker starting up beside the
    # dispatcher would take CPU from it on this 2-core machine.
    with local_store() as mongodb_url:
        return asyncio.run(measure(mongodb_url))


if __name__ == "__main__":
    main()
