"""What the smoke check asks of the running stack, over loopback only (run.sh calls each step).

    checks.py seed N          sets a target, registers N members and one union unit through the
                              recruitment API, waits until reporting counts them
    checks.py snapshot FILE   writes what must survive: reporting's figures, the events the
                              recruitment service recorded, and the records on each Kafka topic
    checks.py same A B        the two snapshots agree
    checks.py one-more FILE   registers one more member; reporting and Kafka count it beside FILE

Ports and the secrets folder come from the environment run.sh sets (SMOKE_*,
ORGANISING_SECRETS_DIR). Every wait has a deadline; any failure exits non-zero.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from organising_shared.topics import Topics

PERIOD, SECTOR, FEDERATION = "2026-S1", "metal", "FSPMI"
RECRUITMENT = f"http://127.0.0.1:{os.environ.get('SMOKE_RECRUITMENT_PORT', '28001')}"
REPORTING = f"http://127.0.0.1:{os.environ.get('SMOKE_REPORTING_PORT', '28002')}"
KAFKA = f"127.0.0.1:{os.environ.get('SMOKE_KAFKA_PORT', '28092')}"
TOKEN = (Path(os.environ["ORGANISING_SECRETS_DIR"]) / "organising_admin_token").read_text().strip()
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
DEADLINE_SECONDS = 120


def member() -> dict[str, Any]:
    return {
        "federation": FEDERATION,
        "sector": SECTOR,
        "workplace_id": "wp-bekasi-0042",
        "region_code": "32.16",
        "employment_status": "fixed_term",
        "gender": "female",
        "age_band": "25_34",
        "recruited_on": "2026-03-14",
        "nik": "32" + str(uuid.uuid4().int)[:14],
    }


def union_unit() -> dict[str, Any]:
    return {
        "federation": FEDERATION,
        "sector": SECTOR,
        "workplace_id": "wp-cikarang-0007",
        "region_code": "32.16",
        "founding_members": 25,
        "women_on_board": 3,
        "established_on": "2026-02-20",
    }


def post(client: httpx.Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json=body, headers=HEADERS)
    if response.status_code != 201:
        sys.exit(f"POST {url}: {response.status_code} {response.text[:300]}")
    return response.json()


def figures(client: httpx.Client) -> dict[str, dict[str, dict[str, int]]]:
    """Target and actual of each metric, by sector (the rest of the body depends on the day)."""
    response = client.get(f"{REPORTING}/api/v1/targets", params={"period": PERIOD}, headers=HEADERS)
    response.raise_for_status()
    return {
        row["sector"]: {name: {"target": m["target"], "actual": m["actual"]} for name, m in row["metrics"].items()}
        for row in response.json()["sectors"]
    }


def members_counted(client: httpx.Client) -> int:
    return figures(client).get(SECTOR, {}).get("members_recruited", {}).get("actual", -1)


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"gave up after {DEADLINE_SECONDS} s waiting for {what}")
        time.sleep(1)


def recorded_events(client: httpx.Client) -> int:
    """The events the recruitment service stored for the federation (its outbox, in the store)."""
    count, after = 0, None
    while True:
        params = {"federation": FEDERATION, "limit": 500, **({"after": after} if after is not None else {})}
        response = client.get(f"{RECRUITMENT}/api/v1/events", params=params, headers=HEADERS)
        response.raise_for_status()
        body = response.json()
        count += len(body["items"])
        if not body["items"] or body.get("next_after") is None:
            return count
        after = body["next_after"]


async def records_on_topics() -> dict[str, int]:
    """Records on each organising topic (end minus start offsets), read from Kafka itself."""
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=10_000)
    await admin.start()
    try:
        topics = sorted(topic for topic in await admin.list_topics() if not topic.startswith("__"))
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [TopicPartition(topic["topic"], partition["partition"]) for topic in described for partition in topic["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, request_timeout_ms=10_000)
    await consumer.start()
    try:
        ends, starts = await consumer.end_offsets(partitions), await consumer.beginning_offsets(partitions)
    finally:
        await consumer.stop()
    counts = dict.fromkeys(topics, 0)
    for partition in partitions:
        counts[partition.topic] += ends[partition] - starts[partition]
    if not partitions or not any(counts.values()):
        sys.exit(f"no records found on Kafka: {counts}")
    return counts


def snapshot(client: httpx.Client) -> dict[str, Any]:
    return {"figures": figures(client), "recorded_events": recorded_events(client), "kafka_records": asyncio.run(records_on_topics())}


def seed(count: int) -> None:
    with httpx.Client(timeout=30) as client:
        target = {"members_recruited": 100, "union_units_established": 5, "cases_resolved": 0}
        response = client.put(f"{REPORTING}/api/v1/targets/{PERIOD}/{SECTOR}", json=target, headers=HEADERS)
        if response.status_code != 200:
            sys.exit(f"PUT target: {response.status_code} {response.text[:300]}")
        for _ in range(count):
            post(client, f"{RECRUITMENT}/api/v1/members", member())
        post(client, f"{RECRUITMENT}/api/v1/union-units", union_unit())
        wait_until(lambda: members_counted(client) == count, f"reporting to count {count} members")
        print(json.dumps(figures(client)[SECTOR]))


def write_snapshot(path: str) -> None:
    with httpx.Client(timeout=30) as client:
        taken = snapshot(client)
    Path(path).write_text(json.dumps(taken, indent=1, sort_keys=True))
    print(json.dumps(taken, sort_keys=True))


def same(before_path: str, after_path: str) -> None:
    before, after = (json.loads(Path(path).read_text()) for path in (before_path, after_path))
    for key in ("figures", "recorded_events"):
        if before[key] != after[key]:
            sys.exit(f"{key} changed:\n  before {before[key]}\n  after  {after[key]}")
    # Reporting may announce progress at any time, so other topics can only grow; the topics this
    # check wrote to must hold exactly what they held.
    lost = {topic: (count, after["kafka_records"].get(topic, 0)) for topic, count in before["kafka_records"].items() if after["kafka_records"].get(topic, 0) < count}
    if lost:
        sys.exit(f"records lost on Kafka (before, after): {lost}")
    topics = Topics.with_prefix("")
    for topic in (topics.membership, topics.targets):
        if before["kafka_records"][topic] != after["kafka_records"][topic]:
            sys.exit(f"{topic}: {before['kafka_records'][topic]} records before, {after['kafka_records'][topic]} after")
    print("figures and recorded events equal; every Kafka record still there")


def one_more(before_path: str) -> None:
    before = json.loads(Path(before_path).read_text())
    expected = before["figures"][SECTOR]["members_recruited"]["actual"] + 1
    with httpx.Client(timeout=30) as client:
        post(client, f"{RECRUITMENT}/api/v1/members", member())
        wait_until(lambda: members_counted(client) == expected, f"reporting to count member {expected}")
        on_kafka = asyncio.run(records_on_topics())
    grown = {topic: on_kafka.get(topic, 0) - count for topic, count in before["kafka_records"].items()}
    membership = Topics.with_prefix("").membership
    # Other topics may grow too (reporting announces milestones); none may shrink.
    if grown.get(membership) != 1 or min(grown.values()) < 0:
        sys.exit(f"expected one new record on {membership} and none lost, got {grown}")
    print(f"member {expected} counted; one more record on {membership}")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"seed": lambda n: seed(int(n)), "snapshot": write_snapshot, "same": same, "one-more": one_more}[command](*arguments)
