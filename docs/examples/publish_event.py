#!/usr/bin/env python3
"""Publish one `MemberRecruited` event to the organising platform, with a plain Kafka client.

What a federation's own membership system does when it records a new member. It needs nothing
from this repository: the standard library builds the event, aiokafka (`pip install aiokafka`)
sends it. See docs/contract.md for every event type and field.

    python publish_event.py --dry-run                       # print the key and the JSON only
    python publish_event.py --bootstrap 127.0.0.1:9092 --federation FSPMI \\
        --member-ref m_9f2c4a1b7e3d --sector metal --workplace-id wp-bekasi-0042 --region-code 32.16

The event_id must be generated once, when your system records the fact, and kept: send the same
event_id again after a timeout or a crash and the platform counts the member once. Pass it with
--event-id when you resend.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from datetime import date, datetime, timedelta, timezone

# Western Indonesia Time (WIB), which has no daylight saving: dates are counted in Asia/Jakarta.
WIB = timezone(timedelta(hours=7))
MEMBERSHIP_TOPIC = "organising.membership.v1"


def member_recruited(
    *,
    federation: str,
    producer: str,
    member_ref: str,
    sector: str,
    workplace_id: str,
    region_code: str,
    employment_status: str,
    gender: str,
    recruited_on: date,
    age_band: str | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> dict:
    """The event as the contract's envelope: a JSON-ready dict.

    `member_ref` is your system's pseudonym of the member, never a name, phone number or NIK.
    Optional fields are left out rather than sent as null.
    """
    data = {
        "member_ref": member_ref,
        "sector": sector,
        "workplace_id": workplace_id,
        "region_code": region_code,
        "employment_status": employment_status,
        "gender": gender,
        "recruited_on": recruited_on.isoformat(),
    }
    if age_band is not None:
        data["age_band"] = age_band
    return {
        "event_id": str(event_id or uuid.uuid4()),
        "event_type": "MemberRecruited",
        "schema_version": 1,
        # With its UTC offset: a date-time without one is refused.
        "occurred_at": (occurred_at or datetime.now(WIB)).isoformat(timespec="seconds"),
        "federation": federation,
        "producer": producer,
        "data": data,
    }


def encode(event: dict) -> tuple[bytes, bytes]:
    """The Kafka key (the workplace, so one workplace's events stay in order) and the value (UTF-8 JSON)."""
    key = event["data"]["workplace_id"].encode("utf-8")
    value = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return key, value


async def publish(bootstrap_servers: str, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
    """Send one message and wait until every in-sync replica has it; returns (partition, offset)."""
    from aiokafka import AIOKafkaProducer  # imported here so that --dry-run needs only the standard library

    # Idempotence stops the client's own retries from writing the message twice; acks="all"
    # means an acknowledged message survives the loss of the broker that took it.
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        metadata = await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()
    return metadata.partition, metadata.offset


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Publish one MemberRecruited event (contract v1).")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--topic-prefix", default=os.environ.get("ORGANISING_TOPIC_PREFIX", ""), help="empty in production")
    parser.add_argument("--federation", default="FSPMI")
    parser.add_argument("--producer", default="fspmi-membership", help="your system's name")
    parser.add_argument("--member-ref", default="m_9f2c4a1b7e3d", help="your pseudonym of the member (at most 64 characters)")
    parser.add_argument("--sector", default="metal")
    parser.add_argument("--workplace-id", default="wp-bekasi-0042")
    parser.add_argument("--region-code", default="32.16", help="Kemendagri code: 32 or 32.16")
    parser.add_argument("--employment-status", default="permanent")
    parser.add_argument("--gender", default="female")
    parser.add_argument("--age-band", default=None)
    parser.add_argument("--recruited-on", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today in WIB)")
    parser.add_argument("--event-id", type=uuid.UUID, default=None, help="resend an event with its original id")
    parser.add_argument("--dry-run", action="store_true", help="print the key and value, send nothing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    event = member_recruited(
        federation=args.federation,
        producer=args.producer,
        member_ref=args.member_ref,
        sector=args.sector,
        workplace_id=args.workplace_id,
        region_code=args.region_code,
        employment_status=args.employment_status,
        gender=args.gender,
        age_band=args.age_band,
        recruited_on=args.recruited_on or datetime.now(WIB).date(),
        event_id=args.event_id,
    )
    key, value = encode(event)
    if args.dry_run:
        print(f"key: {key.decode()}\nvalue: {value.decode()}")
        return
    topic = args.topic_prefix + MEMBERSHIP_TOPIC
    partition, offset = asyncio.run(publish(args.bootstrap, topic, key, value))
    # Record event["event_id"] as sent only now. A refusal (bad field, unknown federation)
    # is reported on organising.deadletter.v1, not here.
    print(f"published {event['event_id']} to {topic}[{partition}] at offset {offset}", file=sys.stderr)


if __name__ == "__main__":
    main()
