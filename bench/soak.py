"""Soak: the local stack (`organising-devstack run`, on free ports) under a steady load for
SOAK_SECONDS (default 600): mixed events onto Kafka at SOAK_RATE per second (default 200) and
member registrations through the intake at SOAK_INTAKE_RATE (default 2), with a webhook
subscription so that notifications delivers too.

Every SOAK_SAMPLE_SECONDS it samples each service's resident memory and each consumer group's
lag (end offsets minus committed offsets). At the end it checks, and exits 1 if any fails:
- memory flat after warm-up: each service's RSS at the end of the load within
  SOAK_MEMORY_TOLERANCE (default 0.10) of its RSS at the end of warm-up (SOAK_WARMUP_SECONDS,
  default a fifth of the run, at most 120 s). Reporting's member ledger grows with the
  membership by design, and the load recruits throughout: for reporting the members the ledger
  gained meanwhile (`organising_member_ledger_members`) are allowed LEDGER_BYTES_PER_MEMBER
  (512) each on top of the tolerance;
- lag back to zero once the load stops (within 120 s);
- nothing lost: the reporting figures equal what was published, and a rebuild from scratch;
  every accepted intake write is on Kafka once; no service was restarted by the launcher.

    make soak                                   (10 minutes)
    SOAK_SECONDS=60 .venv/bin/python -m bench.soak   (SOAK_KEEP=1 keeps the stack's data and logs)

Not part of `make bench` (no `bench_` prefix) nor `make test`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from organising_shared.settings import OrganisingSettings
from organising_shared.testing.local_stack import SERVICE_NAMES, LocalStack, rss_kib
from reporting.config import ReportingSettings
from tests.faults.checks import (
    each_accepted_write_once,
    live_equals_rebuild,
    reporting_caught_up,
)
from tests.faults.flow import IntakeFlow, KafkaFlow, expected_totals
from tests.integration.helpers import sample
from tests.integration.notifications.receivers import webhook_receiver

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
RATE = float(os.environ.get("SOAK_RATE", "200"))
INTAKE_RATE = float(os.environ.get("SOAK_INTAKE_RATE", "2"))
SAMPLE_SECONDS = float(os.environ.get("SOAK_SAMPLE_SECONDS", "5"))
WARMUP_SECONDS = float(os.environ.get("SOAK_WARMUP_SECONDS", str(min(120.0, SECONDS / 5))))
MEMORY_TOLERANCE = float(os.environ.get("SOAK_MEMORY_TOLERANCE", "0.10"))
# What the member ledger may take per member it holds: reporting.read_model.ledger estimates
# ≈ 320 bytes; a 240 s soak saw reporting's whole RSS grow ≈ 490 bytes per member gained (dict
# resizes come in steps). A leak smaller than the difference could hide in this allowance.
LEDGER_BYTES_PER_MEMBER = 512
ADMIN_TOKEN = "soak-admin-token-0123456789abcdef"
GROUPS = {"reporting": "reporting", "notifications": "notifications"}  # service -> consumer group (the defaults)


@dataclass
class Sample:
    at: float
    rss_kib: dict[str, int | None]
    lag: dict[str, int]
    ledger_members: float | None = None


@dataclass
class Samples:
    rows: list[Sample] = field(default_factory=list)

    def rss_at(self, service: str, when: float) -> int | None:
        """The service's RSS in the last sample taken at or before `when` seconds into the run."""
        values = [row.rss_kib[service] for row in self.rows if row.at <= when and row.rss_kib[service]]
        return values[-1] if values else None

    def ledger_at(self, when: float) -> float | None:
        """Reporting's ledger members in the last sample taken at or before `when` that read it."""
        values = [row.ledger_members for row in self.rows if row.at <= when and row.ledger_members is not None]
        return values[-1] if values else None

    def lag_max(self, group: str) -> int:
        return max((row.lag[group] for row in self.rows), default=0)


async def group_lag(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, group: str) -> int:
    """Records on the group's partitions not yet committed by it (partitions it never committed
    an offset for, such as an empty topic's, are left out)."""
    committed = await admin.list_consumer_group_offsets(group)
    if not committed:
        return 0
    ends = await consumer.end_offsets(list(committed))
    return sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())


async def ledger_members(http: httpx.AsyncClient) -> float | None:
    """`organising_member_ledger_members` from reporting's /metrics (None until it is set)."""
    try:
        return sample((await http.get("/metrics")).text, "organising_member_ledger_members")
    except httpx.HTTPError:
        return None


async def sample_forever(stack: LocalStack, samples: Samples, started: float, pids: dict[str, int | None]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers, group_id=None, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        async with httpx.AsyncClient(base_url=stack.url("reporting"), timeout=10) as reporting:
            while True:
                lag = {group: await group_lag(admin, consumer, group) for group in GROUPS.values()}
                rss = {name: rss_kib(pid) if pid else None for name, pid in pids.items()}
                samples.rows.append(Sample(time.monotonic() - started, rss, lag, await ledger_members(reporting)))
                await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await consumer.stop()
        await admin.close()


async def soak(stack: LocalStack) -> list[str]:
    """Runs the load and the checks; returns what failed (empty: everything held)."""
    failures: list[str] = []
    settings = OrganisingSettings(kafka_bootstrap_servers=stack.bootstrap_servers, mongodb_url=stack.mongodb_url)
    reporting = ReportingSettings(kafka_bootstrap_servers=stack.bootstrap_servers, mongodb_url=stack.mongodb_url)
    pids = stack.pids()
    samples = Samples()
    async with webhook_receiver() as receiver:
        async with httpx.AsyncClient(base_url=stack.url("notifications"), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
            channel = {"type": "webhook", "url": receiver.url("/ok/soak"), "secret": "soak-webhook-secret-0123456"}
            created = await admin.post(
                "/api/v1/subscriptions", json={"channel": channel, "filters": {"event_types": ["ViolationReported"]}}
            )
            assert created.status_code == 201, created.text
        started = time.monotonic()
        sampler = asyncio.create_task(sample_forever(stack, samples, started, pids))
        flow = KafkaFlow(stack.bootstrap_servers, settings.topics, f"soak{int(time.time())}", rate=RATE)
        intake = IntakeFlow(stack.url("recruitment"), ADMIN_TOKEN, count=1_000_000, rate=INTAKE_RATE)
        flow.start()
        intake.start()
        while time.monotonic() - started < SECONDS:
            await asyncio.sleep(min(10.0, SECONDS))
            print(
                f"  {time.monotonic() - started:5.0f} s: {flow.acknowledged} events published, {len(intake.accepted)} writes accepted; "
                f"lag {samples.rows[-1].lag if samples.rows else '-'}",
                flush=True,
            )
        intake.stop()
        await flow.finished(timeout=120)
        await intake.finished(timeout=60)
        load_ended = time.monotonic() - started

        drained_at = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            await asyncio.sleep(SAMPLE_SECONDS)
            if samples.rows and samples.rows[-1].at > load_ended and all(lag == 0 for lag in samples.rows[-1].lag.values()):
                drained_at = samples.rows[-1].at - load_ended
                break
        sampler.cancel()
        lag_end = samples.rows[-1].lag

    published = flow.acknowledged + len(intake.accepted)
    if drained_at is None:
        failures.append(f"lag not back to zero within 120 s of the load's end: {lag_end}")
    intake_events = await each_accepted_write_once(settings, intake.accepted, unanswered=intake.unanswered)
    await reporting_caught_up(reporting, timeout=120)
    expected = expected_totals(flow.events)
    expected["members_recruited"] += intake_events
    try:
        totals = await live_equals_rebuild(reporting)
        if totals != expected:
            failures.append(f"reporting figures {totals} differ from what was published {expected}")
    except AssertionError as error:
        failures.append(str(error))
    if stack.pids() != pids:
        failures.append(f"a service was restarted during the soak: {pids} -> {stack.pids()}")
    if intake.refused or intake.unanswered:
        failures.append(f"intake writes refused {dict(intake.refused)} or unanswered ({intake.unanswered})")

    print()
    print(
        f"soak: {SECONDS:.0f} s at {RATE:.0f} events/s + {INTAKE_RATE:g} intake writes/s; warm-up {WARMUP_SECONDS:.0f} s; "
        f"{published} events ({flow.acknowledged} onto Kafka, {len(intake.accepted)} through the intake); "
        f"{len(receiver.at('/ok/soak'))} webhooks received"
    )
    print(f"{'service':<14}{'RSS warm-up':>13}{'RSS end':>11}{'change':>9}{'RSS max':>11}{'allowed':>10}")
    ledger_gained = max(0.0, (samples.ledger_at(load_ended) or 0.0) - (samples.ledger_at(WARMUP_SECONDS) or 0.0))
    for name in SERVICE_NAMES:
        warm, end = samples.rss_at(name, WARMUP_SECONDS), samples.rss_at(name, load_ended)
        peak = max((row.rss_kib[name] or 0) for row in samples.rows)
        change = (end - warm) / warm if warm and end else float("nan")
        # The ledger's designed growth, on top of the tolerance: anything beyond it is a leak.
        ledger_kib = ledger_gained * LEDGER_BYTES_PER_MEMBER / 1024 if name == "reporting" else 0.0
        allowed = MEMORY_TOLERANCE + (ledger_kib / warm if warm else 0.0)
        print(f"{name:<14}{_mb(warm):>13}{_mb(end):>11}{change:>+9.1%}{_mb(peak):>11}{allowed:>+10.1%}")
        if not (abs(change) <= allowed):
            failures.append(
                f"{name}: RSS {_mb(warm)} after warm-up, {_mb(end)} at the end ({change:+.1%}, allowed {allowed:+.1%}: "
                f"tolerance {MEMORY_TOLERANCE:.0%}"
                + (f", and {ledger_gained:.0f} ledger members × {LEDGER_BYTES_PER_MEMBER} B)" if ledger_kib else ")")
            )
    print(
        f"reporting's member ledger gained {ledger_gained:.0f} members after warm-up "
        f"(allowed {LEDGER_BYTES_PER_MEMBER} B each on top of the tolerance)"
    )
    print(f"{'group':<14}{'lag max':>13}{'lag end':>11}")
    for group in GROUPS.values():
        print(f"{group:<14}{samples.lag_max(group):>13}{lag_end[group]:>11}")
    print(f"lag back to zero {drained_at:.0f} s after the load ended" if drained_at is not None else "lag never back to zero")
    return failures


def _mb(kib: int | None) -> str:
    return f"{kib / 1024:.0f} MB" if kib else "-"


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="organising-soak-"))
    stack = LocalStack(
        data, env={"ORGANISING_ADMIN_TOKEN": ADMIN_TOKEN, "ORGANISING_ALLOW_PRIVATE_WEBHOOKS": "true", "ORGANISING_LOG_LEVEL": "WARNING"}
    )
    print(f"soak: starting the stack in {data} on ports {stack.ports}", flush=True)
    try:
        stack.start()
        failures = asyncio.run(soak(stack))
    finally:
        stack.stop()
        if not os.environ.get("SOAK_KEEP"):
            shutil.rmtree(data, ignore_errors=True)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    print("soak: every check held" if not failures else f"soak: {len(failures)} checks failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
