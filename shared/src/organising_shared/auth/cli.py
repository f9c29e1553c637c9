"""`organising-tokens`: issue, revoke and list bearer tokens.

    organising-tokens issue --name fspmi-office --role federation --federation FSPMI
    organising-tokens revoke --name fspmi-office
    organising-tokens list

The token is printed once, at issue; only its hash is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from organising_shared.auth.principal import Role
from organising_shared.auth.tokens import TokenStore
from organising_shared.mongo import make_mongo_client
from organising_shared.settings import OrganisingSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="organising-tokens", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="issue a token and print it once")
    issue.add_argument("--name", required=True, help="a label for the holder, e.g. an office or a dashboard")
    issue.add_argument("--role", required=True, choices=[role.value for role in Role])
    issue.add_argument("--federation", help="the federation code, for the federation role")
    revoke = commands.add_parser("revoke", help="revoke every active token with this name")
    revoke.add_argument("--name", required=True)
    commands.add_parser("list", help="list tokens (never their values)")
    return parser


async def _run(args: argparse.Namespace, settings: OrganisingSettings) -> int:
    client = make_mongo_client(settings.mongodb_url)
    try:
        store = TokenStore(client[settings.auth_database]["tokens"])
        if args.command == "issue":
            if args.federation and args.federation not in settings.federations:
                print(f"unknown federation {args.federation!r}", file=sys.stderr)
                return 2
            try:
                token = await store.issue(name=args.name, role=Role(args.role), federation=args.federation)
            except ValueError as error:
                print(error, file=sys.stderr)
                return 2
            print(token)
        elif args.command == "revoke":
            count = await store.revoke(args.name)
            print(f"revoked {count} token(s)")
            return 0 if count else 1
        else:
            for row in await store.list():
                print(json.dumps(row, default=str))
        return 0
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return asyncio.run(_run(args, OrganisingSettings()))


if __name__ == "__main__":
    raise SystemExit(main())
