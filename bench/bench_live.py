"""Live stream latency: from an event produced onto Kafka to the new figure on the SSE stream,
against the time the same figure became readable in the store (the baseline: what any reader of
the projections waits for anyway), measured in the same run.

One reporting app on a loopback port with a real broker and store; one stream subscriber; events
sent one at a time with a plain aiokafka producer, each waited for before the next.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from datetime import date

import httpx
import uvicorn
from aiokafka import AIOKafkaProducer

from bench.table import Row
from organising_shared.mongo import make_mongo_client
from organising_shared.periods import jakarta_today, periods_containing
from organising_shared.testing.infrastructure import local_processes
from reporting.config import ReportingSettings
from reporting.main import create_app
from reporting.read_model.figures import targets_report

EVENTS = 40
TOKEN = "bench-admin-" + uuid.uuid4().hex


def envelope(event_type: str, data: dict, federation: str = "FSPMI") -> bytes:
    return json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "event_type": event_type,
            "schema_version": 1,
            "occurred_at": "2026-03-14T09:30:00+07:00",
            "federation": federation,
            "producer": "bench",
            "data": data,
        }
    ).encode()


def recruited(today: date) -> bytes:
    return envelope(
        "MemberRecruited",
        {
            "member_ref": f"m-{uuid.uuid4().hex[:12]}",
            "sector": "metal",
            "workplace_id": "wp-bench",
            "region_code": "32.16",
            "employment_status": "permanent",
            "gender": "female",
            "recruited_on": today.isoformat(),
        },
    )


async def stream_actuals(response: httpx.Response, sink: asyncio.Queue) -> None:
    name, data = "", []
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and data:
            if name == "figures":
                snapshot = json.loads("".join(data))
                for row in snapshot["targets"]:
                    if row["sector"] == "metal":
                        await sink.put((time.perf_counter(), row["metrics"]["members_recruited"]["actual"]))
            name, data = "", []


async def measure(kafka: str, mongo_url: str) -> list[Row]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    settings = ReportingSettings(
        kafka_bootstrap_servers=kafka,
        mongodb_url=mongo_url,
        topic_prefix=f"{namespace}.",
        auth_database=f"{namespace}_auth",
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
        admin_token=TOKEN,
        topic_partitions=3,
    )
    today = jakarta_today()
    period = next(p for p in periods_containing(today) if "-S" in p.code)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="error", timeout_graceful_shutdown=1))
    server_task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True, acks="all")
    await producer.start()
    mongo = make_mongo_client(mongo_url)
    database = mongo[settings.database]
    target = {
        "period": period.code,
        "sector": "metal",
        "members_recruited": 1000,
        "union_units_established": 1,
        "cases_resolved": 1,
        "set_by": "bench",
    }
    await producer.send_and_wait(settings.topics.targets, envelope("SectorTargetSet", target, federation="KSPI"), key=b"metal")

    async def stored_actual() -> int | None:
        report = await targets_report(database, period, None, today)
        return next((row["metrics"]["members_recruited"]["actual"] for row in report["sectors"] if row["sector"] == "metal"), None)

    to_store, to_stream = [], []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        async with client.stream(
            "GET", "/api/v1/live", params={"period": period.code}, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            arrivals: asyncio.Queue = asyncio.Queue()
            reader = asyncio.create_task(stream_actuals(response, arrivals))
            while (await arrivals.get())[1] != 0:
                pass
            for expected in range(1, EVENTS + 1):
                sent = time.perf_counter()
                await producer.send_and_wait(settings.topics.membership, recruited(today), key=b"wp-bench")

                async def store_visible(expected: int = expected) -> float:
                    while await stored_actual() != expected:
                        await asyncio.sleep(0.002)
                    return time.perf_counter()

                async def stream_shows(expected: int = expected) -> float:
                    while True:
                        at, actual = await arrivals.get()
                        if actual == expected:
                            return at

                stored_at, streamed_at = await asyncio.wait_for(asyncio.gather(store_visible(), stream_shows()), 30)
                to_store.append(stored_at - sent)
                to_stream.append(streamed_at - sent)
            reader.cancel()
    await producer.stop()
    server.should_exit = True
    await server_task
    await mongo.drop_database(settings.database)  # after the app stopped (its change stream would be invalidated)
    await mongo.close()

    def describe(values: list[float]) -> str:
        cuts = statistics.quantiles(values, n=20)
        return f"p50 {statistics.median(values) * 1000:6.0f} ms   p95 {cuts[18] * 1000:6.0f} ms   max {max(values) * 1000:6.0f} ms"

    extra = [stream - store for stream, store in zip(to_stream, to_store, strict=True)]
    print(f"{EVENTS} MemberRecruited events, one at a time, one stream subscriber (settle 20 ms, at most one redraw per 100 ms)")
    print(f"  baseline, Kafka -> figure readable in the store: {describe(to_store)}")
    print(f"  Kafka -> figure on the live stream:              {describe(to_stream)}")
    print(f"  store -> stream (change stream + debounce + recompute): {describe(extra)}")
    print(f"  ratio: stream latency is {statistics.median(to_stream) / statistics.median(to_store):.2f}x the store's (median)")
    p95_stream, p95_store = statistics.quantiles(to_stream, n=20)[18], statistics.quantiles(to_store, n=20)[18]
    return [
        Row(
            "Kafka → dashboard redraw (live stream), p95",
            measured=p95_stream * 1000,
            baseline=p95_store * 1000,
            baseline_is="Kafka → figure readable in the store",
            unit="ms",
            goal="< 300 ms",
            met=p95_stream < 0.3,
        )
    ]


def main() -> list[Row]:
    with local_processes() as infrastructure:
        return asyncio.run(measure(infrastructure.kafka_bootstrap_servers, infrastructure.mongodb_url))


if __name__ == "__main__":
    main()
