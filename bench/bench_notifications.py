"""Notifications: webhook delivery throughput and latency with the dispatcher's concurrency,
against a one-at-a-time dispatcher (the baseline), measured in the same run.

Four receivers on loopback each take 50 ms to answer, and a fifth never answers within the
attempt timeout. Delivery rows are queued straight into the store (the Kafka intake is the shared
projector, measured by the projection benchmarks); the dispatcher claims, signs, sends and
records them exactly as in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid
from datetime import UTC, datetime

import uvicorn

from notifications.channels.webhook import WebhookSender, make_http_client
from notifications.config import NotificationsSettings
from notifications.dispatcher import Dispatcher
from notifications.domain.notices import Notice, NoticeType, Text
from notifications.domain.secrets import SecretBox
from notifications.store import DELIVERIES, SUBSCRIPTIONS, ensure_indexes, new_delivery_op, receiver_of
from organising_shared.mongo import make_mongo_client
from organising_shared.testing.infrastructure import local_processes

RECEIVERS = 4
PER_RECEIVER = 50
ANSWER_SECONDS = 0.05
ATTEMPT_TIMEOUT = 5.0
GIVE_UP_AFTER = 180.0


class SlowReceiver:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.arrivals: list[float] = []

    async def __call__(self, scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass
        await asyncio.sleep(self.delay)
        self.arrivals.append(time.time())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


class EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):
        yield  # the benchmark process keeps its own SIGINT/SIGTERM handling


async def serve(app) -> tuple[uvicorn.Server, asyncio.Task, str]:
    server = EmbeddedServer(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="critical", timeout_graceful_shutdown=1)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server, task, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/hook"


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


async def run_once(mongo_url: str, *, concurrency: int, per_receiver: int) -> tuple[float, list[float]]:
    settings = NotificationsSettings(
        mongodb_url=mongo_url,
        database=f"bench_{uuid.uuid4().hex[:8]}",
        allow_private_webhooks=True,
        delivery_concurrency=concurrency,
        delivery_per_receiver_concurrency=per_receiver,
        delivery_attempt_timeout_seconds=ATTEMPT_TIMEOUT,
        delivery_max_attempts=1,
        delivery_poll_seconds=0.05,
    )
    mongo = make_mongo_client(mongo_url)
    database = mongo[settings.database]
    await ensure_indexes(database)
    receivers = [SlowReceiver(ANSWER_SECONDS) for _ in range(RECEIVERS)]
    servers = [await serve(receiver) for receiver in receivers] + [await serve(SlowReceiver(30.0))]
    subscriptions = []
    for _, _, url in servers:
        channel = {"type": "webhook", "url": url, "secret": "bench-secret-0123456789"}
        subscriptions.append(
            {"_id": str(uuid.uuid4()), "owner": None, "channel": channel, "receiver": receiver_of(channel), "filters": {}, "paused": False}
        )
    await database[SUBSCRIPTIONS].insert_many(subscriptions)
    now = datetime.now(UTC)
    operations = [new_delivery_op(subscription, notice(), now) for subscription in subscriptions[:-1] for _ in range(PER_RECEIVER)]
    operations += [new_delivery_op(subscriptions[-1], notice(), now) for _ in range(per_receiver)]
    await database[DELIVERIES].bulk_write(operations)
    async with make_http_client() as http:
        sender = WebhookSender(http, timeout=ATTEMPT_TIMEOUT, allow_private=True, secrets=SecretBox([]))
        dispatcher = Dispatcher(database, {"webhook": sender}, settings)
        started = time.time()
        task = asyncio.create_task(dispatcher.run())
        healthy = {"subscription_id": {"$in": [subscription["_id"] for subscription in subscriptions[:-1]]}}
        while await database[DELIVERIES].count_documents({**healthy, "status": {"$in": ["pending", "sending", "retrying"]}}):
            if time.time() - started > GIVE_UP_AFTER:
                raise SystemExit(f"gave up after {GIVE_UP_AFTER:.0f} s")
            await asyncio.sleep(0.05)
        elapsed = time.time() - started
        failed = await database[DELIVERIES].count_documents({**healthy, "status": "failed"})
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    for server, server_task, _ in servers:
        server.should_exit = True
        await server_task
    await mongo.drop_database(settings.database)
    await mongo.close()
    latencies = sorted(arrival - started for receiver in receivers for arrival in receiver.arrivals)
    return elapsed, latencies, failed


async def measure(mongo_url: str) -> None:
    total = RECEIVERS * PER_RECEIVER
    base_elapsed, base_latencies, base_failed = await run_once(mongo_url, concurrency=1, per_receiver=1)
    elapsed, latencies, failed = await run_once(mongo_url, concurrency=32, per_receiver=4)
    print(f"{total} webhooks to {RECEIVERS} receivers answering in {ANSWER_SECONDS * 1000:.0f} ms, plus one hanging receiver")
    for label, seconds, arrived, failures in [
        ("baseline (one at a time)", base_elapsed, base_latencies, base_failed),
        ("dispatcher (32, 4 per receiver)", elapsed, latencies, failed),
    ]:
        p95 = statistics.quantiles(arrived, n=20)[18] if len(arrived) > 1 else float("nan")
        print(f"  {label:32s} {len(arrived) / seconds:8.1f} deliveries/s, p95 time to arrive {p95:6.2f} s, {failures} failed")
    print(f"  ratio: {base_elapsed / elapsed:.1f}x the baseline's throughput")


def main() -> None:
    with local_processes() as infrastructure:
        asyncio.run(measure(infrastructure.mongodb_url))


if __name__ == "__main__":
    main()
