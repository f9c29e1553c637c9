"""What the smoke check asks of the running stack, over loopback only (run.sh calls each step).

    checks.py seed N          sets a target, registers N members and one union unit through the
                              recruitment API, waits until reporting counts them
    checks.py snapshot FILE   writes what must survive: reporting's figures, the events the
                              recruitment service recorded, and the records on each Kafka topic
    checks.py same A B        the two snapshots agree
    checks.py one-more FILE   registers one more member; reporting and Kafka count it beside FILE
    checks.py store-users     the store refuses a client without a login, and each service's user
                              another service's database (and the token store, but for `tokens`)
    checks.py edge            the TLS edge: HTTPS with its CA and HSTS, plain HTTP redirected, each
                              path to its service, the services' own auth, body limits, /metrics
                              kept inside, the live stream's first event at once
    checks.py federation N    publishes N members through Kafka's TLS + SCRAM listener with the
                              federation credential run.sh made; the figures, read through the
                              edge, count them
    checks.py revoked         the credential, revoked by run.sh, can no longer write its topic

Ports, the secrets folder and the build folder (CA certificates, the credential's password) come
from the environment run.sh sets (SMOKE_*, ORGANISING_SECRETS_DIR, SMOKE_BUILD). Every wait has a
deadline; any failure exits non-zero.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pymongo
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pymongo.errors import OperationFailure

from organising_shared.topics import Topics

# The federation's example client (docs/federations.md) builds and sends the events.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "examples"))
from federation_publish import ingress_topic, publish
from publish_event import encode, member_recruited

PERIOD, SECTOR, FEDERATION = "2026-S1", "metal", "FSPMI"
RECRUITMENT = f"http://127.0.0.1:{os.environ.get('SMOKE_RECRUITMENT_PORT', '28001')}"
REPORTING = f"http://127.0.0.1:{os.environ.get('SMOKE_REPORTING_PORT', '28002')}"
KAFKA = f"127.0.0.1:{os.environ.get('SMOKE_KAFKA_PORT', '28092')}"
STORE = f"mongodb://127.0.0.1:{os.environ.get('SMOKE_STORE_PORT', '28017')}/?directConnection=true"
# The names the certificates carry: localhost (ORGANISING_PUBLIC_HOST and ORGANISING_KAFKA_PUBLIC_HOST's default).
EDGE = f"https://localhost:{os.environ.get('SMOKE_EDGE_HTTPS_PORT', '28443')}"
EDGE_HTTP = f"http://localhost:{os.environ.get('SMOKE_EDGE_HTTP_PORT', '28080')}"
FEDERATION_LISTENER = f"localhost:{os.environ.get('SMOKE_FEDERATION_PORT', '28094')}"
BUILD = Path(os.environ.get("SMOKE_BUILD", "."))
SECRETS = Path(os.environ["ORGANISING_SECRETS_DIR"])
TOKEN = (SECRETS / "organising_admin_token").read_text().strip()
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


def figures(client: httpx.Client, base: str = REPORTING) -> dict[str, dict[str, dict[str, int]]]:
    """Target and actual of each metric, by sector (the rest of the body depends on the day)."""
    response = client.get(f"{base}/api/v1/targets", params={"period": PERIOD}, headers=HEADERS)
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
    lost = {
        topic: (count, after["kafka_records"].get(topic, 0))
        for topic, count in before["kafka_records"].items()
        if after["kafka_records"].get(topic, 0) < count
    }
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


# ---- the store's users ------------------------------------------------------------------------


def _store_as(user: str | None, password: str | None = None) -> pymongo.MongoClient:
    if user is None:
        return pymongo.MongoClient(STORE, serverSelectionTimeoutMS=5000)
    password = password if password is not None else (SECRETS / f"organising_mongo_{user}_password").read_text().strip()
    return pymongo.MongoClient(STORE, username=user, password=password, authSource="admin", serverSelectionTimeoutMS=5000)


def _write_refused(client: pymongo.MongoClient, database: str) -> str:
    try:
        client[database]["smoke_probe"].insert_one({"probe": True})
    except OperationFailure as refusal:
        if refusal.code != 13:  # Unauthorized
            sys.exit(f"writing {database}: expected Unauthorized (13), got {refusal.code} {refusal.details}")
        return str(refusal.details.get("errmsg"))
    sys.exit(f"a write to {database} was accepted")


def store_users() -> None:
    databases = {"recruitment": "organising_recruitment", "reporting": "organising_reporting", "notifications": "organising_notifications"}
    with _store_as(None) as anonymous:
        print(f"no login, organising_recruitment: refused ({_write_refused(anonymous, 'organising_recruitment')})")
    try:
        with _store_as("reporting", "not-the-password") as wrong:
            wrong.admin.command("ping")
        sys.exit("a wrong password logged in")
    except OperationFailure as refusal:
        print(f"reporting with a wrong password: refused (code {refusal.code})")
    for user, own in databases.items():
        with _store_as(user) as client:
            # Its own database: a write and its removal go through.
            inserted = client[own]["smoke_probe"].insert_one({"probe": True}).inserted_id
            client[own]["smoke_probe"].delete_one({"_id": inserted})
            client[own].drop_collection("smoke_probe")
            client["organising_auth"]["tokens"].find_one()  # the token store: read only
            for other in [*(db for name, db in databases.items() if name != user), "organising_auth"]:
                print(f"{user} writing {other}: refused ({_write_refused(client, other)})")
    with _store_as("tokens") as tokens:
        _write_refused(tokens, "organising_recruitment")
        print("tokens writing organising_recruitment: refused; each user writes its own database only")


# ---- the TLS edge -------------------------------------------------------------------------------


def _edge_client(**options: Any) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(BUILD / "edge-ca.pem")), timeout=30, **options)


def _expect(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        sys.exit(
            f"{what}: {response.request.method} {response.request.url} answered {response.status_code}, expected {status}: {response.text[:300]}"
        )
    return response


def _first_live_event(client: httpx.Client, deadline_seconds: float = 10) -> float:
    """Seconds until the live stream's first `figures` event arrives through the edge."""
    started = time.monotonic()
    with client.stream(
        "GET", f"{EDGE}/api/v1/live", params={"period": PERIOD}, headers={**HEADERS, "Accept": "text/event-stream"}
    ) as response:
        _expect(response, 200, "the live stream")
        for line in response.iter_lines():
            if line.startswith("event: figures"):
                return time.monotonic() - started
            if time.monotonic() - started > deadline_seconds:
                break
    sys.exit(f"no figures event through the edge within {deadline_seconds} s")


def edge() -> None:
    try:
        httpx.get(f"{EDGE}/api/v1/targets", params={"period": PERIOD}, timeout=10)
        sys.exit("the edge's certificate was trusted without its CA")
    except httpx.ConnectError as refusal:
        print(f"without the edge's CA: refused ({str(refusal)[:80]})")
    with httpx.Client(timeout=10) as plain:
        redirect = _expect(plain.get(f"{EDGE_HTTP}/api/v1/targets"), 308, "plain HTTP")
        # To the same host and path over HTTPS (on 443: Caddy names no other port, and the
        # smoke check's edge listens on another).
        location = httpx.URL(redirect.headers["location"])
        if (location.scheme, location.host, location.path) != ("https", "localhost", "/api/v1/targets"):
            sys.exit(f"plain HTTP redirected to {location}")
        print(f"plain HTTP: 308 to {redirect.headers['location']}")
    with _edge_client() as client:
        answer = _expect(client.get(f"{EDGE}/api/v1/targets", params={"period": PERIOD}, headers=HEADERS), 200, "reporting's figures")
        hsts = answer.headers.get("strict-transport-security", "")
        if "max-age=31536000" not in hsts:
            sys.exit(f"no HSTS header a year long: {hsts!r}")
        print(f"HTTPS, HTTP/{answer.http_version.removeprefix('HTTP/')}: Strict-Transport-Security: {hsts}")
        # The services' own bearer auth, unchanged behind the edge.
        _expect(client.get(f"{EDGE}/api/v1/targets", params={"period": PERIOD}), 401, "no token")
        # Each path to its service: answers only that service gives.
        routes = {
            "recruitment": client.get(f"{EDGE}/api/v1/events", params={"federation": FEDERATION, "limit": 1}, headers=HEADERS),
            "notifications": client.get(f"{EDGE}/api/v1/subscriptions", headers=HEADERS),
            "reporting (dashboard)": client.get(f"{EDGE}/dashboard"),
        }
        for service, response in routes.items():
            _expect(response, 200, service)
        if "items" not in routes["recruitment"].json() or not isinstance(routes["notifications"].json(), list):
            sys.exit("a path reached the wrong service")
        if "text/html" not in routes["reporting (dashboard)"].headers["content-type"]:
            sys.exit("/dashboard is not reporting's page")
        print("/api/v1/events -> recruitment, /api/v1/subscriptions -> notifications, /dashboard -> reporting")
        _expect(client.get(f"{EDGE}/metrics"), 404, "/metrics from outside")
        # Body limits: recruitment's own (64 KiB of JSON, a problem document) answers first; the
        # edge's 1 MB is the backstop.
        service_refusal = _expect(
            client.post(
                f"{EDGE}/api/v1/members", content=b"{" + b" " * 100_000 + b"}", headers={**HEADERS, "Content-Type": "application/json"}
            ),
            413,
            "100 kB of JSON",
        )
        if service_refusal.headers.get("content-type") != "application/problem+json":
            sys.exit(f"100 kB: not the service's problem document: {service_refusal.headers.get('content-type')}")
        _expect(
            client.post(f"{EDGE}/api/v1/members", content=b"x" * 2_000_000, headers={**HEADERS, "Content-Type": "application/json"}),
            413,
            "2 MB of JSON",
        )
        print("100 kB of JSON: 413 from recruitment (problem+json); 2 MB: 413 from the edge")
        print(f"the live stream's first event through the edge after {_first_live_event(client):.2f} s")


# ---- a federation through Kafka's TLS + SCRAM listener --------------------------------------------


def _federation_tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(BUILD / "kafka-ca.pem"))


async def _refused(password: str, topic: str) -> str:
    """What the broker says to this password writing this topic (it must refuse)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=FEDERATION_LISTENER,
        security_protocol="SASL_SSL",
        ssl_context=_federation_tls(),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username="fspmi-smoke",
        sasl_plain_password=password,
        request_timeout_ms=15_000,
    )
    try:
        await producer.start()
        await producer.send_and_wait(topic, value=b"{}", key=b"wp-bekasi-0042")
    except KafkaError as refusal:
        return type(refusal).__name__
    finally:
        await producer.stop()
    sys.exit(f"the broker accepted a write to {topic}")


def federation(count: int) -> None:
    password = (BUILD / "federation-password").read_text().strip()
    topic = ingress_topic(FEDERATION)
    print(f"wrong password: refused ({asyncio.run(_refused('not-the-password', topic))})")
    membership = Topics.with_prefix("").membership
    print(f"the credential writing {membership} itself: refused ({asyncio.run(_refused(password, membership))})")
    with _edge_client() as client:
        before = members_counted_at(client, EDGE)
        for number in range(count):
            event = member_recruited(
                federation=FEDERATION,
                producer="fspmi-smoke",
                member_ref=f"m_smoke{uuid.uuid4().hex[:12]}",
                sector=SECTOR,
                workplace_id="wp-bekasi-0042",
                region_code="32.16",
                employment_status="permanent",
                gender="male",
                recruited_on=date(2026, 3, 20),
            )
            key, value = encode(event)
            partition, offset = _publish_with_retries(password, topic, key, value)
            print(f"member {number + 1}: {topic} partition {partition} offset {offset}")
        wait_until(lambda: members_counted_at(client, EDGE) == before + count, f"the edge's figures to count {before + count} members")
        print(f"figures through the edge: {before} -> {before + count} members")


def revoked() -> None:
    password = (BUILD / "federation-password").read_text().strip()
    topic = ingress_topic(FEDERATION)
    print(f"the revoked credential writing {topic}: refused ({asyncio.run(_refused(password, topic))})")


def members_counted_at(client: httpx.Client, base: str) -> int:
    return figures(client, base).get(SECTOR, {}).get("members_recruited", {}).get("actual", -1)


def _publish_with_retries(password: str, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
    """The gateway creates the ingress topic at its start; until then the broker says it is unknown."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            return asyncio.run(publish(FEDERATION_LISTENER, str(BUILD / "kafka-ca.pem"), "fspmi-smoke", password, topic, key, value))
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {
        "seed": lambda n: seed(int(n)),
        "snapshot": write_snapshot,
        "same": same,
        "one-more": one_more,
        "store-users": store_users,
        "edge": edge,
        "federation": lambda n: federation(int(n)),
        "revoked": revoked,
    }[command](*arguments)
