"""Reporting projections: throughput against a naive one-update-per-event projector, freshness
of GET /api/v1/targets under a steady stream, GET latency under 50 clients, rebuild time, memory.

    .venv/bin/python -m bench projection              (defaults sized for a shared 2-core machine)
    BENCH_EVENTS=100000 BENCH_NAIVE_EVENTS=3000 .venv/bin/python -m bench projection

The service runs as a real process (`python -m reporting.main`) against local Kafka + SecantusDB.
Figures:
- throughput: events pre-published, then the clock runs from the service's first committed batch
  to its last (group join excluded), events/s;
- naive baseline, same run, same store: per membership event, read the member, write it, one
  `$inc` per period counter document (no batching, no coalescing), events/s; the ratio is printed;
- freshness: events published at a fixed rate; a poller reads GET /api/v1/targets every 20 ms and
  notes when the actual reaches k; p50/p99 of (seen k − published k);
- GET /api/v1/targets latency with 50 concurrent clients, p50/p99;
- rebuild: `reporting.rebuild` over everything in the topics, events/s, extrapolated to 1,000,000;
- the service's peak resident memory (VmHWM).

While iterating, `BENCH_SKIP=naive,freshness,get,rebuild` (any of them) leaves phases out; the
ratio needs the naive phase.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter

import httpx
from aiokafka import AIOKafkaProducer

from organising_shared.events import EVENT_ADAPTER
from organising_shared.kafka import ensure_organising_topics
from organising_shared.mongo import make_mongo_client
from organising_shared.projection import OFFSETS_COLLECTION
from organising_shared.testing.infrastructure import local_processes
from reporting import counting
from reporting.config import ReportingSettings
from reporting.generations import current_generation
from reporting.projection import member_entry
from reporting.rebuild import rebuild

EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))
NAIVE_EVENTS = int(os.environ.get("BENCH_NAIVE_EVENTS", "1000"))
RATE = int(os.environ.get("BENCH_RATE", "500"))
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "10"))
CLIENTS = 50
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS_PER_CLIENT", "20"))
SKIP = {name.strip() for name in os.environ.get("BENCH_SKIP", "").split(",") if name.strip()}
ADMIN = "bench-admin-token-0123456789"
SECTORS = ("chemical", "garment_textile", "automotive", "metal", "cement")
FEDERATIONS = ("FSPMI", "SPN", "KEP", "FARKES-R", "ASPEK")


def envelope(event_type: str, data: dict, federation: str) -> dict:
    return {"event_id": str(uuid.uuid4()), "event_type": event_type, "schema_version": 1, "occurred_at": "2026-03-14T09:30:00+07:00",
            "federation": federation, "producer": "bench", "data": data}


def workload(count: int, tag: str) -> list[dict]:
    """Mostly recruitments, some departures, units and cases: what federations report."""
    events = []
    for i in range(count):
        sector, federation, workplace = SECTORS[i % 5], FEDERATIONS[i % 5], f"wp-{i % 500}"
        kind = i % 20
        if kind < 16:
            events.append(envelope("MemberRecruited", {"member_ref": f"{tag}-{i}", "sector": sector, "workplace_id": workplace,
                                                       "region_code": f"32.{10 + i % 30}", "employment_status": "permanent",
                                                       "gender": ("female", "male")[i % 2], "age_band": "25_34",
                                                       "recruited_on": f"2026-0{1 + i % 6}-{10 + i % 18}"}, federation))
        elif kind < 18:
            events.append(envelope("MemberLeft", {"member_ref": f"{tag}-{i - 3}", "sector": sector, "workplace_id": workplace,
                                                  "region_code": "32.16", "left_on": "2026-06-20", "reason": "resigned"}, federation))
        elif kind == 18:
            events.append(envelope("UnionUnitEstablished", {"unit_id": f"{tag}-u{i}", "sector": sector, "workplace_id": workplace,
                                                            "region_code": "32.16", "founding_members": 20, "established_on": "2026-02-02"}, federation))
        else:
            events.append(envelope("ViolationReported", {"case_id": f"{tag}-c{i}", "sector": sector, "workplace_id": workplace,
                                                         "region_code": "32.16", "category": "overtime", "workers_affected": 12,
                                                         "reported_on": "2026-03-03"}, federation))
    return events


async def publish(settings: ReportingSettings, events: list[dict], *, rate: float | None = None) -> list[float]:
    import json

    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=True, acks="all", linger_ms=2)
    await producer.start()
    sent_at: list[float] = []
    try:
        futures = []
        start = time.monotonic()
        for i, value in enumerate(events):
            if rate:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            futures.append(await producer.send(settings.topics.for_event_type(value["event_type"]), value=json.dumps(value).encode(),
                                               key=value["data"]["workplace_id"].encode()))
            sent_at.append(time.monotonic())
        for future in futures:
            await future
    finally:
        await producer.stop()
    return sent_at


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(settings: ReportingSettings, port: int, log_path: str) -> subprocess.Popen:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers, "MONGODB_URL": settings.mongodb_url,
           "ORGANISING_TOPIC_PREFIX": settings.topic_prefix, "ORGANISING_DATABASE": settings.database,
           "ORGANISING_CONSUMER_GROUP": settings.consumer_group, "ORGANISING_PORT": str(port), "ORGANISING_ADMIN_TOKEN": ADMIN,
           "ORGANISING_TOPIC_PARTITIONS": str(settings.topic_partitions), "ORGANISING_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "reporting.main"], env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115


async def applied(database) -> tuple[int, float]:
    generation = await current_generation(database)
    rows = [row async for row in database[OFFSETS_COLLECTION].find({"projection": generation.projector_name})]
    return sum(row["offset"] + 1 for row in rows), time.monotonic()


async def wait_applied(database, count: int, timeout: float) -> list[tuple[int, float]]:
    """Poll the stored offsets; returns the (applied, when) samples seen."""
    samples = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        samples.append(await applied(database))
        if samples[-1][0] >= count:
            return samples
        await asyncio.sleep(0.05)
    raise RuntimeError(f"only {samples[-1][0]} of {count} events applied within {timeout} s")


async def naive_projection(database, events: list[dict]) -> float:
    """The same counting rules, one event at a time: read the member, write it, then one `$inc`
    per counter document the event touches (its year, semester and quarter), no batching."""
    members, counters = database["naive_members"], database["naive_counters"]
    started = time.monotonic()
    counted = 0
    for raw in events:
        event = EVENT_ADAPTER.validate_python(raw)
        if event.event_type not in ("MemberRecruited", "MemberLeft"):
            continue
        counted += 1
        key = f"{event.federation}|{event.data.member_ref}"
        document = await members.find_one({"_id": key}) or {"_id": key, "events": {}}
        before = counting.member_contribution(event.federation, document["events"])
        document["events"][str(event.event_id)] = member_entry(event)
        delta = counting.difference(before, counting.member_contribution(event.federation, document["events"]))
        await members.replace_one({"_id": key}, document, upsert=True)
        by_document: dict[str, dict[str, int]] = {}
        for (doc_id, field), amount in delta.items():
            by_document.setdefault(doc_id, {})[field] = amount
        for doc_id, increments in by_document.items():
            await counters.update_one({"_id": doc_id}, {"$inc": increments}, upsert=True)
    return counted / (time.monotonic() - started)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def freshness(settings: ReportingSettings, base_url: str, database) -> tuple[float, float, int]:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.put("/api/v1/targets/2026-S2/cement", json={"members_recruited": 1_000_000, "union_units_established": 1,
                                                                          "cases_resolved": 1}, headers=headers)
        response.raise_for_status()
        count = int(RATE * RATE_SECONDS)
        events = [envelope("MemberRecruited", {"member_ref": f"fresh-{i}", "sector": "cement", "workplace_id": f"wp-f{i % 50}",
                                               "region_code": "35", "employment_status": "daily", "gender": "female",
                                               "recruited_on": "2026-07-15"}, "SPN") for i in range(count)]
        seen_at: dict[int, float] = {}
        done = asyncio.Event()

        async def poll() -> None:
            last = 0
            while not done.is_set():
                report = (await http.get("/api/v1/targets", params={"period": "2026-S2"}, headers=headers)).json()
                now = time.monotonic()
                actual = report["sectors"][0]["metrics"]["members_recruited"]["actual"] if report["sectors"] else 0
                for k in range(last + 1, actual + 1):
                    seen_at[k] = now
                last = max(last, actual)
                if last >= count:
                    done.set()
                await asyncio.sleep(0.02)

        poller = asyncio.create_task(poll())
        sent_at = await publish(settings, events, rate=RATE)
        await asyncio.wait_for(done.wait(), timeout=120)
        await poller
    latencies = [seen_at[k + 1] - sent_at[k] for k in range(count)]
    return percentile(latencies, 50), percentile(latencies, 99), count


async def get_latency(base_url: str) -> tuple[float, float, int]:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=CLIENTS)) as http:
        async def client() -> None:
            for _ in range(REQUESTS_PER_CLIENT):
                started = time.perf_counter()
                response = await http.get("/api/v1/targets", params={"period": "2026-S1"}, headers=headers)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        await http.get("/api/v1/targets", params={"period": "2026-S1"}, headers=headers)  # warm up
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return percentile(latencies, 50), percentile(latencies, 99), len(latencies)


def peak_memory_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def run(infrastructure) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = ReportingSettings(kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers, mongodb_url=infrastructure.mongodb_url,
                                 topic_prefix=f"bench{tag}.", database=f"bench{tag}_reporting", consumer_group=f"bench{tag}",
                                 topic_partitions=6)
    await ensure_organising_topics(settings)
    mongo = make_mongo_client(settings.mongodb_url)
    database = mongo[settings.database]
    events = workload(EVENTS, tag)
    print(f"workload: {EVENTS} events ({dict(Counter(e['event_type'] for e in events))})", flush=True)
    await publish(settings, events)

    port = free_port()
    log_path = tempfile.mktemp(prefix="bench-reporting-", suffix=".log")
    service = start_service(settings, port, log_path)
    try:
        samples = await wait_applied(database, EVENTS, timeout=max(600, EVENTS / 50))
        first = next((n, t) for n, t in samples if n > 0)
        last = samples[-1]
        throughput = (last[0] - first[0]) / (last[1] - first[1]) if last[1] > first[1] else float("nan")
        print(f"projection throughput: {throughput:,.0f} events/s ({last[0] - first[0]} events after the first batch, "
              f"{last[1] - first[1]:.1f} s; goal 10,000/s)", flush=True)

        if "naive" not in SKIP:
            naive = await naive_projection(database, workload(NAIVE_EVENTS, f"naive{tag}"))
            print(f"naive baseline (one update per event, same store): {naive:,.0f} events/s over {NAIVE_EVENTS} events", flush=True)
            print(f"ratio coalesced / naive: {throughput / naive:.1f}x (goal >= 10x)", flush=True)

        base_url = f"http://127.0.0.1:{port}"
        if "freshness" not in SKIP:
            p50, p99, count = await freshness(settings, base_url, database)
            print(f"publish -> visible in GET /api/v1/targets at {RATE} events/s: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
                  f"over {count} events (goal p99 < 1 s)", flush=True)

        if "get" not in SKIP:
            p50, p99, count = await get_latency(base_url)
            print(f"GET /api/v1/targets with {CLIENTS} concurrent clients: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
                  f"over {count} requests (goal p99 < 50 ms)", flush=True)
        print(f"service peak memory (VmHWM): {peak_memory_mb(service.pid):.0f} MB", flush=True)
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=20)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()

    if "rebuild" in SKIP:
        await mongo.close()
        return
    total = (await applied(database))[0]
    result = await rebuild(settings)
    rate = result.events / result.seconds
    print(f"rebuild: {result.events} events ({total} records) in {result.seconds:.1f} s = {rate:,.0f} events/s; "
          f"1,000,000 events would take about {1_000_000 / rate / 60:.1f} min at this rate (goal < 2 min; extrapolated "
          f"linearly from a smaller run, the store's per-document cost grows with collection size, so this is a lower bound)", flush=True)
    await mongo.close()


def main() -> None:
    with local_processes() as infrastructure:
        asyncio.run(run(infrastructure))


if __name__ == "__main__":
    main()
