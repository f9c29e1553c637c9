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
- rebuild: the operator's command (`python -m reporting.projection.rebuild`, its own process, as in
  production) over everything in the topics, events/s, extrapolated to 1,000,000 unless the run
  has that many (`BENCH_EVENTS=1000000`, about 10 minutes here), and its peak memory;
- the service's peak resident memory (VmHWM).

- the same throughput phase run by the code at `BENCH_BASELINE_REF` (a git worktree of that
  commit, by default the projection before this round reorganised it), in the same run on the
  same topics, and the ratio of the two.

While iterating, `BENCH_SKIP=naive,freshness,get,rebuild,baseline-code` (any of them) leaves
phases out; the ratio needs the naive phase. `BENCH_SKIP=throughput` does not start the service at all (and so
measures none of the first four): the events are published and only the rebuild runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from bench import wrk
from bench.table import Row
from bench.wrk import WrkResult, run_wrk
from organising_shared.auth import Role, TokenStore
from organising_shared.events import EVENT_ADAPTER
from organising_shared.kafka import ensure_organising_topics
from organising_shared.mongo import make_mongo_client
from organising_shared.projections import OFFSETS_COLLECTION
from organising_shared.testing.infrastructure import local_processes
from reporting.config import ReportingSettings
from reporting.projection.apply import member_entry
from reporting.projection.generations import current_generation
from reporting.read_model import counting
from reporting.read_model.figures import actuals

# Enough for ten live batches of 10,000: the throughput window starts after the first one.
EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
NAIVE_EVENTS = int(os.environ.get("BENCH_NAIVE_EVENTS", "1000"))
RATE = int(os.environ.get("BENCH_RATE", "500"))
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "10"))
CLIENTS = 50
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS_PER_CLIENT", "20"))
# The projection as it stood before this round reorganised its write path (organising_shared.projections,
# reporting.projection): the "before" of the comparison. Any commit or tag will do.
BASELINE_REF = os.environ.get("BENCH_BASELINE_REF", "e5b2e94")
# What the summary table needs, noted by the phases as they run (bench.table.Row).
FIGURES: dict[str, float] = {}
SKIP = {name.strip() for name in os.environ.get("BENCH_SKIP", "").split(",") if name.strip()}
ADMIN = "bench-admin-token-0123456789"
SECTORS = ("chemical", "garment_textile", "automotive", "metal", "cement")
FEDERATIONS = ("FSPMI", "SPN", "KEP", "FARKES-R", "ASPEK")


def envelope(event_type: str, data: dict, federation: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": 1,
        "occurred_at": "2026-03-14T09:30:00+07:00",
        "federation": federation,
        "producer": "bench",
        "data": data,
    }


def workload(count: int, tag: str) -> list[dict]:
    """Mostly recruitments, some departures, units and cases: what federations report."""
    events = []
    for i in range(count):
        sector, federation, workplace = SECTORS[i % 5], FEDERATIONS[i % 5], f"wp-{i % 500}"
        kind = i % 20
        if kind < 16:
            events.append(
                envelope(
                    "MemberRecruited",
                    {
                        "member_ref": f"{tag}-{i}",
                        "sector": sector,
                        "workplace_id": workplace,
                        "region_code": f"32.{10 + i % 30}",
                        "employment_status": "permanent",
                        "gender": ("female", "male")[i % 2],
                        "age_band": "25_34",
                        "recruited_on": f"2026-0{1 + i % 6}-{10 + i % 18}",
                    },
                    federation,
                )
            )
        elif kind < 18:
            events.append(
                envelope(
                    "MemberLeft",
                    {
                        "member_ref": f"{tag}-{i - 3}",
                        "sector": sector,
                        "workplace_id": workplace,
                        "region_code": "32.16",
                        "left_on": "2026-06-20",
                        "reason": "resigned",
                    },
                    federation,
                )
            )
        elif kind == 18:
            events.append(
                envelope(
                    "UnionUnitEstablished",
                    {
                        "unit_id": f"{tag}-u{i}",
                        "sector": sector,
                        "workplace_id": workplace,
                        "region_code": "32.16",
                        "founding_members": 20,
                        "established_on": "2026-02-02",
                    },
                    federation,
                )
            )
        else:
            events.append(
                envelope(
                    "ViolationReported",
                    {
                        "case_id": f"{tag}-c{i}",
                        "sector": sector,
                        "workplace_id": workplace,
                        "region_code": "32.16",
                        "category": "overtime",
                        "workers_affected": 12,
                        "reported_on": "2026-03-03",
                    },
                    federation,
                )
            )
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
            futures.append(
                await producer.send(
                    settings.topics.for_event_type(value["event_type"]),
                    value=json.dumps(value).encode(),
                    key=value["data"]["workplace_id"].encode(),
                )
            )
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


def service_environment(settings: ReportingSettings, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URL": settings.mongodb_url,
        "ORGANISING_TOPIC_PREFIX": settings.topic_prefix,
        "ORGANISING_DATABASE": settings.database,
        "ORGANISING_CONSUMER_GROUP": settings.consumer_group,
        "ORGANISING_PORT": str(port),
        "ORGANISING_ADMIN_TOKEN": ADMIN,
        "ORGANISING_TOPIC_PARTITIONS": str(settings.topic_partitions),
        "ORGANISING_LOG_LEVEL": "WARNING",
    }


def start_service(settings: ReportingSettings, port: int, log_path: str, *, code: str | None = None) -> subprocess.Popen:
    """The service as a process; with `code` (a checkout of another commit), that commit's."""
    environment = service_environment(settings, port)
    if code is not None:
        # Ahead of the venv's editable installs (plain .pth path entries, which come later).
        environment["PYTHONPATH"] = f"{code}/shared/src{os.pathsep}{code}/services/reporting/src"
    return subprocess.Popen(
        [sys.executable, "-m", "reporting.main"], env=environment, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT
    )


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[str | None]:
    """`ref` checked out in a temporary folder (a detached git worktree), or None if it cannot be."""
    root = Path(__file__).resolve().parent.parent
    folder = tempfile.mkdtemp(prefix="bench-baseline-")
    added = subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", folder, ref], capture_output=True, text=True)
    if added.returncode != 0:
        print(f"baseline code {ref} not available ({added.stderr.strip()[:200]}): skipping it", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", folder], capture_output=True)


async def throughput_of(settings: ReportingSettings, database, *, code: str | None = None) -> float:
    """Events/s of a service started now on the published topics (its own database and group),
    from its first committed batch to its last."""
    log_path = tempfile.mktemp(prefix="bench-reporting-", suffix=".log")
    service = start_service(settings, free_port(), log_path, code=code)
    try:
        samples = await wait_applied(database, EVENTS, timeout=max(600, EVENTS / 50))
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=20)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
    first = next((n, t) for n, t in samples if n > 0)
    last = samples[-1]
    return (last[0] - first[0]) / (last[1] - first[1]) if last[1] > first[1] else float("nan")


async def compare_with_baseline_code(settings: ReportingSettings, mongo, tag: str, current: float) -> None:
    """The same throughput phase run by the projection code at BENCH_BASELINE_REF, in this run,
    on the same topics: how the code of this commit compares with it.

    Order matters on a shared machine (a later run tends to be faster: warm caches, the broker's
    page cache): this code ran first, then the baseline, then this code again, and the figure
    compared is the mean of this code's two runs (A-B-A)."""
    with checkout(BASELINE_REF) as code:
        if code is None:
            return
        baseline_settings = settings.model_copy(update={"database": f"bench{tag}_baseline", "consumer_group": f"bench{tag}-baseline"})
        baseline = await throughput_of(baseline_settings, mongo[baseline_settings.database], code=code)
    again_settings = settings.model_copy(update={"database": f"bench{tag}_again", "consumer_group": f"bench{tag}-again"})
    again = await throughput_of(again_settings, mongo[again_settings.database])
    mean = (current + again) / 2
    print(
        f"projection throughput, same run (A-B-A): this code {current:,.0f} and {again:,.0f} events/s (mean {mean:,.0f}); "
        f"the code at {BASELINE_REF} {baseline:,.0f} events/s; ratio {mean / baseline:.2f} (goal: within 5 %)",
        flush=True,
    )


@dataclass
class RebuildRun:
    events: int
    seconds: float
    peak_memory_mb: float


async def run_rebuild(settings: ReportingSettings) -> RebuildRun:
    """`python -m reporting.projection.rebuild` as an operator runs it; its own report gives events and time."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reporting.projection.rebuild",
        env=service_environment(settings, 0),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = asyncio.create_task(process.stdout.read())
    finished = asyncio.create_task(process.wait())
    peak = 0.0
    while not finished.done():  # VmHWM is gone once the process has exited: read it meanwhile
        with contextlib.suppress(OSError):
            peak = max(peak, peak_memory_mb(process.pid))
        await asyncio.wait({finished}, timeout=0.5)
    text = (await output).decode()
    found = re.search(r"rebuilt (\d+) events into \S+ \(was \S+\) in ([\d.]+) s", text)
    if process.returncode != 0 or not found:
        raise RuntimeError(f"the rebuild failed (exit {process.returncode}):\n{text[-2000:]}")
    return RebuildRun(events=int(found[1]), seconds=float(found[2]), peak_memory_mb=peak)


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
        document = await members.find_one({"_id": key}) or {"_id": key, "events": []}
        history = [counting.MemberEntry(*entry) for entry in document["events"]]
        before = counting.member_contribution(event.federation, history)
        entry = member_entry(event)
        if any(known.event_id == entry.event_id for known in history):
            continue
        history.append(entry)
        delta = _difference(before, counting.member_contribution(event.federation, history))
        await members.replace_one({"_id": key}, {"_id": key, "events": [list(known) for known in history]}, upsert=True)
        by_document: dict[str, dict[str, int]] = {}
        for (doc_id, field), amount in delta.items():
            by_document.setdefault(doc_id, {})[field] = amount
        for doc_id, increments in by_document.items():
            await counters.update_one({"_id": doc_id}, {"$inc": increments}, upsert=True)
    return counted / (time.monotonic() - started)


def _difference(before: Counter, after: Counter) -> Counter:
    """after − before, keeping negative amounts (Counter's `-` would drop them)."""
    delta = Counter(after)
    for key, amount in before.items():
        delta[key] -= amount
    return Counter({key: amount for key, amount in delta.items() if amount})


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def freshness(settings: ReportingSettings, base_url: str, database) -> tuple[float, float, int]:
    """p50/p99 of publish → visible in GET /api/v1/targets; also prints where the time goes.

    Two pollers run side by side every 20 ms: one reads GET /api/v1/targets, the other reads the
    committed counters straight from the store (the same sum the route computes), so the figure
    splits into publish → committed (Kafka, the consumer's batches, the transaction) and
    committed → visible (the API's cache and the request itself).
    """
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.put(
            "/api/v1/targets/2026-S2/cement",
            json={"members_recruited": 1_000_000, "union_units_established": 1, "cases_resolved": 1},
            headers=headers,
        )
        response.raise_for_status()
        count = int(RATE * RATE_SECONDS)
        run = uuid.uuid4().hex[:8]
        events = [
            envelope(
                "MemberRecruited",
                {
                    "member_ref": f"fresh-{run}-{i}",
                    "sector": "cement",
                    "workplace_id": f"wp-f{i % 50}",
                    "region_code": "35",
                    "employment_status": "daily",
                    "gender": "female",
                    "recruited_on": "2026-07-15",
                },
                "SPN",
            )
            for i in range(count)
        ]
        seen_at: dict[int, float] = {}
        stored_at: dict[int, float] = {}

        async def in_api() -> int:
            report = (await http.get("/api/v1/targets", params={"period": "2026-S2"}, headers=headers)).json()
            return report["sectors"][0]["metrics"]["members_recruited"]["actual"] if report["sectors"] else 0

        async def in_store() -> int:
            sums = await actuals(await current_generation(database), "2026-S2")
            return sums.get(("cement", counting.ALL_FEDERATIONS), {}).get("members_recruited", 0)

        pollers = [
            asyncio.create_task(_note_progress(in_api, seen_at, count, await in_api())),
            asyncio.create_task(_note_progress(in_store, stored_at, count, await in_store())),
        ]
        sent_at = await publish(settings, events, rate=RATE)
        await asyncio.wait_for(asyncio.gather(*pollers), timeout=120)
    visible = [seen_at[k + 1] - sent_at[k] for k in range(count)]
    committed = [stored_at[k + 1] - sent_at[k] for k in range(count)]
    after_commit = [seen_at[k] - stored_at[k] for k in seen_at]
    print(
        f"  of which publish -> committed in the store: p50 {percentile(committed, 50) * 1000:.0f} ms, "
        f"p99 {percentile(committed, 99) * 1000:.0f} ms; committed -> visible in GET: p50 {percentile(after_commit, 50) * 1000:.0f} ms, "
        f"p99 {percentile(after_commit, 99) * 1000:.0f} ms (both pollers every 20 ms)",
        flush=True,
    )
    FIGURES["committed_p99"] = percentile(committed, 99)
    return percentile(visible, 50), percentile(visible, 99), count


async def _note_progress(read_count, seen_at: dict[int, float], until: int, before: int) -> None:
    """Poll `read_count()` every 20 ms and note when it first reached `before` + k, for k = 1..`until`."""
    last = 0
    while last < until:
        actual = await read_count() - before
        now = time.monotonic()
        for k in range(last + 1, actual + 1):
            seen_at[k] = now
        last = max(last, actual)
        await asyncio.sleep(0.02)


GET_SECONDS = float(os.environ.get("BENCH_GET_SECONDS", "10"))


async def get_latency(base_url: str, settings: ReportingSettings | None = None) -> tuple[float, float, int]:
    """p50/p99 of GET /api/v1/targets with `CLIENTS` concurrent closed-loop clients.

    The period read has a target in each of five sectors (a real report, not an empty one). The
    clients hold an issued viewer token when `settings` is given (what a dashboard holds: the
    token is looked up, unlike the configured admin token). The load comes from `wrk` (C, one
    thread) when installed; otherwise from httpx in this process, which on a 2-core machine is
    itself the bottleneck (latency ≈ clients / the client's own throughput): that fallback is
    named in the output and its figure is an upper bound. `/healthz` on the same server, same
    load, is the baseline: the framework's floor.
    """
    admin = {"Authorization": f"Bearer {ADMIN}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        for sector in SECTORS:
            response = await http.put(
                f"/api/v1/targets/2026-S1/{sector}",
                json={"members_recruited": 1500, "union_units_established": 15, "cases_resolved": 8},
                headers=admin,
            )
            response.raise_for_status()
    headers = {"Authorization": f"Bearer {await _viewer_token(settings)}"} if settings is not None else admin
    path = "/api/v1/targets?period=2026-S1"
    if not wrk.installed():
        print(
            "  wrk is not installed (apt-get install wrk): FALLING BACK to httpx in this process, which is itself the "
            "bottleneck; the figure below is an upper bound, not the server's latency",
            flush=True,
        )
        return await _httpx_latency(base_url, path, headers)
    await _wrk(base_url + path, headers, seconds=1)  # warm-up, not counted
    floor = await _wrk(base_url + "/healthz", {})
    measured = await _wrk(base_url + path, headers)
    print(
        f"  load: wrk, 1 thread, {CLIENTS} connections, {GET_SECONDS:g} s, {'an issued viewer' if settings else 'the admin'} token; "
        f"{measured.per_second:,.0f} requests/s; baseline GET /healthz same load: p50 {floor.p50 * 1000:.1f} ms, "
        f"p99 {floor.p99 * 1000:.1f} ms, {floor.per_second:,.0f} requests/s; ratio of p99s targets/healthz "
        f"{measured.p99 / floor.p99:.2f}",
        flush=True,
    )
    return measured.p50, measured.p99, measured.requests


async def _viewer_token(settings: ReportingSettings) -> str:
    mongo = make_mongo_client(settings.mongodb_url)
    try:
        store = TokenStore(mongo[settings.auth_database]["tokens"])
        return await store.issue(name=f"bench-viewer-{uuid.uuid4().hex[:8]}", role=Role.VIEWER, federation=None)
    finally:
        await mongo.close()


async def _wrk(url: str, headers: dict[str, str], *, seconds: float = GET_SECONDS) -> WrkResult:
    return await run_wrk(url, headers, seconds=seconds, connections=CLIENTS)


async def _httpx_latency(base_url: str, path: str, headers: dict[str, str]) -> tuple[float, float, int]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=CLIENTS)) as http:

        async def client() -> None:
            for _ in range(REQUESTS_PER_CLIENT):
                started = time.perf_counter()
                response = await http.get(path, headers=headers)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        (await http.get(path, headers=headers)).raise_for_status()  # warm up
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return percentile(latencies, 50), percentile(latencies, 99), len(latencies)


def peak_memory_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def service_phases(settings: ReportingSettings, database, tag: str) -> float:
    """Throughput, then the naive baseline, freshness and GET latency against the running service;
    returns the throughput."""
    port = free_port()
    log_path = tempfile.mktemp(prefix="bench-reporting-", suffix=".log")
    service = start_service(settings, port, log_path)
    try:
        samples = await wait_applied(database, EVENTS, timeout=max(600, EVENTS / 50))
        first = next((n, t) for n, t in samples if n > 0)
        last = samples[-1]
        throughput = (last[0] - first[0]) / (last[1] - first[1]) if last[1] > first[1] else float("nan")
        FIGURES["throughput"] = throughput
        print(
            f"projection throughput: {throughput:,.0f} events/s ({last[0] - first[0]} events after the first batch, "
            f"{last[1] - first[1]:.1f} s; goal 10,000/s)",
            flush=True,
        )

        if "naive" not in SKIP:
            naive = await naive_projection(database, workload(NAIVE_EVENTS, f"naive{tag}"))
            print(f"naive baseline (one update per event, same store): {naive:,.0f} events/s over {NAIVE_EVENTS} events", flush=True)
            print(f"ratio coalesced / naive: {throughput / naive:.1f}x (goal >= 10x)", flush=True)
            FIGURES["naive"] = naive

        base_url = f"http://127.0.0.1:{port}"
        if "freshness" not in SKIP:
            p50, p99, count = await freshness(settings, base_url, database)
            print(
                f"publish -> visible in GET /api/v1/targets at {RATE} events/s: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
                f"over {count} events (goal p99 < 250 ms)",
                flush=True,
            )
            FIGURES["fresh_p99"] = p99

        if "get" not in SKIP:
            p50, p99, count = await get_latency(base_url, settings)
            print(
                f"GET /api/v1/targets with {CLIENTS} concurrent clients: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
                f"over {count} requests (goal p99 < 50 ms)",
                flush=True,
            )
        print(f"service peak memory (VmHWM): {peak_memory_mb(service.pid):.0f} MB", flush=True)
        return throughput
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=20)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()


def rows() -> list[Row]:
    """This module's lines of the summary table, from what the phases noted."""
    table = []
    if "throughput" in FIGURES:
        table.append(
            Row(
                f"projection throughput, {EVENTS:,} events",
                measured=FIGURES["throughput"],
                baseline=FIGURES.get("naive", math.nan),
                baseline_is="naive one-update-per-event projector",
                unit="events/s",
                goal="hold ≥ 10,000",
                met=FIGURES["throughput"] >= 10_000,
            )
        )
    if "fresh_p99" in FIGURES:
        table.append(
            Row(
                f"publish → visible in GET /api/v1/targets, {RATE} events/s, p99",
                measured=FIGURES["fresh_p99"] * 1000,
                baseline=FIGURES["committed_p99"] * 1000,
                baseline_is="publish → committed in the store",
                unit="ms",
                goal="< 250 ms",
                met=FIGURES["fresh_p99"] < 0.25,
            )
        )
    return table


def reporting_settings(infrastructure, name: str) -> ReportingSettings:
    """A reporting deployment of its own on the shared broker and store: topics, database and group named `name`."""
    return ReportingSettings(
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        mongodb_url=infrastructure.mongodb_url,
        topic_prefix=f"{name}.",
        database=f"{name}_reporting",
        consumer_group=name,
        topic_partitions=6,
    )


async def run(infrastructure) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = reporting_settings(infrastructure, f"bench{tag}")
    await ensure_organising_topics(settings)
    mongo = make_mongo_client(settings.mongodb_url)
    database = mongo[settings.database]
    events = workload(EVENTS, tag)
    print(f"workload: {EVENTS} events ({dict(Counter(e['event_type'] for e in events))})", flush=True)
    await publish(settings, events)

    if "throughput" not in SKIP:
        current = await service_phases(settings, database, tag)
        if "baseline-code" not in SKIP:
            await compare_with_baseline_code(settings, mongo, tag, current)
    if "rebuild" in SKIP:
        await mongo.close()
        return
    result = await run_rebuild(settings)
    rate = result.events / result.seconds
    if result.events >= 1_000_000:
        scale = f"measured on {result.events:,} events: {result.seconds / 60:.1f} min (goal < 2 min for 1,000,000)"
    else:
        scale = (
            f"1,000,000 events would take about {1_000_000 / rate / 60:.1f} min at this rate (goal < 2 min; extrapolated "
            f"linearly from a smaller run; BENCH_EVENTS=1000000 measures it)"
        )
    print(
        f"rebuild: {result.events} events ({len(events)} records) in {result.seconds:.1f} s = {rate:,.0f} events/s; {scale}; "
        f"its peak memory (VmHWM) {result.peak_memory_mb:.0f} MB",
        flush=True,
    )
    await mongo.close()


def main() -> list[Row]:
    with local_processes() as infrastructure:
        asyncio.run(run(infrastructure))
    return rows()


if __name__ == "__main__":
    main()
