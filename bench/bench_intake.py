"""Recruitment intake: HTTP registrations per second, from request to event on Kafka, against
the store's bare transaction rate (the baseline) measured in the same run.

The service runs under uvicorn on loopback with its outbox relay; clients POST registrations
(with name, phone and NIK, so sealing and keyed hashing are in the path) at a fixed concurrency.
The figure is end to end: the clock stops when the relay has published the last event to Kafka
(read back from the topic). The baseline does, at the same concurrency, only what every durable
write must: one transaction inserting one document. Their ratio says how much of the store's own
write rate the intake keeps.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer

from organising_shared.mongo import make_mongo_client
from organising_shared.testing.infrastructure import local_processes
from recruitment.config import RecruitmentSettings
from recruitment.main import create_app
from recruitment.outbox import published_up_to

REGISTRATIONS = 1500
CONCURRENCY = 16
WARM_UP = 50
ADMIN = "org_bench-admin-token"


def registration(i: int) -> dict:
    return {
        "federation": "FSPMI",
        "sector": ("metal", "chemical", "automotive", "cement", "garment_textile")[i % 5],
        "workplace_id": f"wp-bench-{i % 200:03d}",
        "region_code": "32.16",
        "employment_status": "permanent",
        "gender": ("female", "male")[i % 2],
        "age_band": "25_34",
        "recruited_on": "2026-03-14",
        "full_name": f"Pekerja Bench {i}",
        "phone": f"+62812{i:08d}",
        "nik": f"32{uuid.uuid4().int % 10**14:014d}",
    }


async def run_clients(base_url: str, bodies: list[dict]) -> None:
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def client_loop(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            response = await http.post("/api/v1/members", json=queue.get_nowait(), headers={"Authorization": f"Bearer {ADMIN}"})
            assert response.status_code == 201, response.text

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(CONCURRENCY)))


async def count_on_topic(bootstrap: str, topic: str, expected: int, timeout: float = 120) -> int:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    await consumer.start()
    seen, deadline = 0, time.monotonic() + timeout
    try:
        while seen < expected and time.monotonic() < deadline:
            seen += sum(len(batch) for batch in (await consumer.getmany(timeout_ms=200)).values())
    finally:
        await consumer.stop()
    return seen


async def intake_rate(settings: RecruitmentSettings) -> tuple[float, float]:
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    base_url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    mongo = make_mongo_client(settings.mongodb_url)
    db = mongo[settings.database]
    try:
        await run_clients(base_url, [registration(i) for i in range(WARM_UP)])
        started = time.perf_counter()
        await run_clients(base_url, [registration(i) for i in range(REGISTRATIONS)])
        accepted = time.perf_counter() - started
        last_row = (await db["outbox"].find_one({}, sort=[("_id", -1)]))["_id"]
        while await published_up_to(db) < last_row:
            await asyncio.sleep(0.01)
        published = time.perf_counter() - started
        on_topic = await count_on_topic(settings.kafka_bootstrap_servers, settings.topics.membership, WARM_UP + REGISTRATIONS)
        assert on_topic == WARM_UP + REGISTRATIONS, f"{on_topic} events on the topic, expected {WARM_UP + REGISTRATIONS}"
    finally:
        await mongo.close()
        server.should_exit = True
        await task
    return REGISTRATIONS / accepted, REGISTRATIONS / published


async def bare_transaction_rate(url: str) -> float:
    client = make_mongo_client(url)
    collection = client["bench_baseline"]["writes"]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(REGISTRATIONS):
        queue.put_nowait(i)

    async def writer() -> None:
        while not queue.empty():
            i = queue.get_nowait()

            async def insert(session, i=i) -> None:
                await collection.insert_one({"_id": i, "payload": "x" * 300}, session=session)

            async with client.start_session() as session:
                await session.with_transaction(insert)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(CONCURRENCY)))
        return REGISTRATIONS / (time.perf_counter() - started)
    finally:
        await client.close()


def main() -> None:
    with local_processes() as infrastructure:
        settings = RecruitmentSettings(
            kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
            mongodb_url=infrastructure.mongodb_url,
            database="bench_recruitment",
            auth_database="bench_auth",
            topic_prefix="bench.",
            admin_token=ADMIN,
        )
        baseline = asyncio.run(bare_transaction_rate(infrastructure.mongodb_url))
        accepted, end_to_end = asyncio.run(intake_rate(settings))
    print(f"registrations: {REGISTRATIONS} over HTTP, {CONCURRENCY} concurrent clients, Kafka {infrastructure.kafka_version}")
    print(f"intake, answered 201:               {accepted:8.1f} registrations/s")
    print(f"intake, published to Kafka:         {end_to_end:8.1f} registrations/s  (end to end)")
    print(f"baseline, bare store transactions:  {baseline:8.1f} writes/s")
    print(f"ratio end-to-end / baseline:        {end_to_end / baseline:8.2f}")


if __name__ == "__main__":
    main()
