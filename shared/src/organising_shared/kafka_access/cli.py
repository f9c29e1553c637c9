"""`organising-kafka-credentials create|rotate|revoke|list`: one Kafka credential per federation system.

    organising-kafka-credentials create --federation FSPMI --name fspmi-membership
    organising-kafka-credentials list
    organising-kafka-credentials rotate --name fspmi-membership
    organising-kafka-credentials revoke --name fspmi-membership

A credential is a SCRAM-SHA-512 user on the broker plus one ACL: WRITE on the topics prefixed
`organising.ingress.<FEDERATION>.` and nothing else (no read, no other topic, no group). The
password is printed once and kept nowhere but in the broker's salted SCRAM form. Which federation
a credential is for is its ACL: the broker is the only record. The command talks to the broker's
internal plaintext listener (KAFKA_BOOTSTRAP_SERVERS), whose clients are the internal super-user.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import sys
from collections import defaultdict

from organising_shared.ingress import federation_of_acl_prefix, ingress_acl_prefix, ingress_topic
from organising_shared.kafka import ensure_topics
from organising_shared.kafka_access.java_admin import CredentialRefused, JavaAdmin, Listing
from organising_shared.settings import OrganisingSettings

# Lower case only: no credential can be called ANONYMOUS, the principal of the internal listener.
NAME = re.compile(r"^[a-z][a-z0-9-]{2,62}$")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="organising-kafka-credentials", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="a new credential for one federation system; prints its password once")
    create.add_argument("--federation", required=True, help="a configured federation code (ORGANISING_FEDERATIONS)")
    create.add_argument("--name", required=True, help="the system's user name, e.g. fspmi-membership (lower case, digits, -)")
    rotate = commands.add_parser("rotate", help="a new password for a credential; prints it once (the old one stops for new connections)")
    rotate.add_argument("--name", required=True)
    revoke = commands.add_parser("revoke", help="remove a credential and its ACLs: it can do nothing from now on")
    revoke.add_argument("--name", required=True)
    commands.add_parser("list", help="credentials, the federation each writes for, and anything inconsistent")
    return parser


def run(args: argparse.Namespace, settings: OrganisingSettings, admin: JavaAdmin) -> int:
    if getattr(args, "name", None) is not None and not NAME.fullmatch(args.name):
        return _fail("--name must be 3-63 characters: a lower-case letter, then lower-case letters, digits or -")
    try:
        if args.command == "create":
            return _create(args, settings, admin)
        if args.command == "rotate":
            password = _new_password()
            admin.rotate(args.name, password)
            print(f"credential {args.name}: new password (shown once; the old one no longer opens a connection)")
            print(f"password: {password}")
            return 0
        if args.command == "revoke":
            admin.revoke(args.name)
            print(f"credential {args.name} revoked: its ACLs and SCRAM credential are gone")
            return 0
        return _list(admin.list(), settings)
    except CredentialRefused as refusal:
        return _fail(str(refusal))


def _create(args: argparse.Namespace, settings: OrganisingSettings, admin: JavaAdmin) -> int:
    if args.federation not in settings.federations:
        return _fail(f"--federation must be one of the configured federations ({', '.join(settings.federations)})")
    topic = ingress_topic(args.federation, prefix=settings.topic_prefix)
    # The topic first (kept forever, like every organising topic): the credential cannot create
    # it (no CREATE ACL), and must work at once.
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            topics=(topic,),
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
    )
    password = _new_password()
    admin.create(args.name, ingress_acl_prefix(args.federation, prefix=settings.topic_prefix), password)
    print(f"credential {args.name} for {args.federation}: may write {topic} and nothing else")
    print("mechanism: SCRAM-SHA-512 over TLS (see docs/federations.md)")
    print(f"username: {args.name}")
    print(f"password: {password}")
    print("The password is shown this once; give it to the federation's system over a channel you trust.")
    return 0


def _list(listing: Listing, settings: OrganisingSettings) -> int:
    federations: dict[str, list[str]] = defaultdict(list)
    other: dict[str, list[str]] = defaultdict(list)
    for acl in listing.acls:
        name = acl.principal.removeprefix("User:")
        federation = federation_of_acl_prefix(acl.resource, prefix=settings.topic_prefix) if acl.pattern_type == "PREFIXED" else None
        if federation and acl.permission == "ALLOW" and acl.operation == "WRITE" and acl.resource_type == "TOPIC":
            federations[name].append(federation)
        else:
            other[name].append(f"{acl.permission} {acl.operation} {acl.resource_type} {acl.pattern_type} {acl.resource}")
    print(f"{'name':<32} {'federation':<12} writes")
    for name in sorted(set(listing.users) | set(federations) | set(other)):
        codes = ",".join(sorted(federations.get(name, []))) or "-"
        writes = ", ".join(ingress_acl_prefix(code, prefix=settings.topic_prefix) + "*" for code in federations.get(name, [])) or "nothing"
        notes = []
        if name not in listing.users:
            notes.append("ACLs without a credential (revoke it to clean up)")
        if len(federations.get(name, [])) > 1:
            notes.append("writes for more than one federation")
        notes.extend(f"also: {line}" for line in other.get(name, []))
        print(f"{name:<32} {codes:<12} {writes}" + ("".join(f"\n    ! {note}" for note in notes)))
    return 0


def _new_password() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits, URL-safe: no quoting trouble in any config file


def _fail(message: str) -> int:
    print(f"organising-kafka-credentials: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    settings = OrganisingSettings()
    return run(_parser().parse_args(argv), settings, JavaAdmin(settings.kafka_bootstrap_servers))


if __name__ == "__main__":
    raise SystemExit(main())
