#!/usr/bin/env python3
"""Publish one `MemberRecruited` through your federation's ingress topic, over TLS, with the
SCRAM-SHA-512 credential the KSPI operator gave your system (docs/federations.md).

    pip install aiokafka
    export ORGANISING_KAFKA_PASSWORD='…'          # from the operator; never on a command line
    python federation_publish.py --bootstrap kafka.organising.example:9094 --ca-file kspi-ca.pem \\
        --username fspmi-membership --federation FSPMI \\
        --member-ref m_9f2c4a1b7e3d --sector metal --workplace-id wp-bekasi-0042 --region-code 32.16

The event is built by publish_event.py beside this file (keep the two together). Your credential
may write only `organising.ingress.<your federation>.v1`; the platform's gateway checks each event
and forwards it to `organising.membership.v1`, or dead-letters it with a reason.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # publish_event.py builds the event
from publish_event import WIB, encode, member_recruited


def ingress_topic(federation: str, prefix: str = "") -> str:
    return f"{prefix}organising.ingress.{federation}.v1"


async def publish(bootstrap: str, ca_file: str, username: str, password: str, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
    """Send one message over TLS + SCRAM-SHA-512 and wait for every in-sync replica; (partition, offset)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        security_protocol="SASL_SSL",
        # Trust the platform's CA (and check the broker's name against its certificate).
        ssl_context=ssl.create_default_context(cafile=ca_file),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=username,
        sasl_plain_password=password,
        enable_idempotence=True,
        acks="all",
    )
    await producer.start()
    try:
        metadata = await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()
    return metadata.partition, metadata.offset


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Publish one MemberRecruited through a federation's ingress topic.")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9094"))
    parser.add_argument("--ca-file", default=os.environ.get("KAFKA_CA_FILE", "ca.pem"), help="the platform's CA certificate (PEM)")
    parser.add_argument("--username", default=os.environ.get("KAFKA_USERNAME", "fspmi-membership"))
    parser.add_argument("--topic-prefix", default=os.environ.get("ORGANISING_TOPIC_PREFIX", ""), help="empty in production")
    parser.add_argument("--federation", default="FSPMI", help="yours: the one your credential was made for")
    parser.add_argument("--member-ref", default="m_9f2c4a1b7e3d")
    parser.add_argument("--sector", default="metal")
    parser.add_argument("--workplace-id", default="wp-bekasi-0042")
    parser.add_argument("--region-code", default="32.16")
    parser.add_argument("--recruited-on", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    password = os.environ.get("ORGANISING_KAFKA_PASSWORD")
    if not password:
        parser.error("set ORGANISING_KAFKA_PASSWORD to your credential's password")
    event = member_recruited(
        federation=args.federation,
        producer=args.username,
        member_ref=args.member_ref,
        sector=args.sector,
        workplace_id=args.workplace_id,
        region_code=args.region_code,
        employment_status="permanent",
        gender="female",
        recruited_on=args.recruited_on or datetime.now(WIB).date(),
    )
    key, value = encode(event)
    topic = ingress_topic(args.federation, args.topic_prefix)
    partition, offset = asyncio.run(publish(args.bootstrap, args.ca_file, args.username, password, topic, key, value))
    # Accepted by Kafka: keep event["event_id"] with the fact, and resend with the same id.
    print(f"published {event['event_id']} to {topic}[{partition}] at offset {offset}", file=sys.stderr)


if __name__ == "__main__":
    main()
