"""`organising-recruitment-keys`: rotate the recruitment master key, and see where rotation stands.

    organising-recruitment-keys status [--verify]
    organising-recruitment-keys rotate [--batch-size N]

ORGANISING_RECRUITMENT_MASTER_KEY lists the keys, newest first (comma-separated). To rotate: put
the new key in front in the service's settings and restart it, run `rotate` (safe while the
service runs; run it again at any time, it only does what is left), then remove the old key once
`status` shows no data key under it. Output is counts and key ids only, never a record.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import time
from typing import TextIO

from organising_shared.mongo import make_mongo_client
from organising_shared.rotation import DEFAULT_BATCH, ProgressPrinter, describe_key_counts
from recruitment.config import DEV_MASTER_KEY, RecruitmentSettings
from recruitment.key_rotation import KeyCounts, count_member_keys, rotate_member_keys
from recruitment.vault import Vault

_SETTING = "ORGANISING_RECRUITMENT_MASTER_KEY"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="organising-recruitment-keys", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    status = commands.add_parser("status", help="count the members' data keys under each master key")
    status.add_argument("--verify", action="store_true", help="open every data key instead of trusting the stored key ids (slower)")
    rotate = commands.add_parser("rotate", help="re-wrap every data key under the newest master key")
    rotate.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="data keys read and written per round trip")
    return parser


def vault_of(settings: RecruitmentSettings) -> Vault:
    return Vault(
        master_keys=settings.master_keys_bytes,
        pseudonym_secret=settings.pseudonym_secret.get_secret_value().encode(),
        lookup_secret=settings.nik_secret.get_secret_value().encode(),
    )


def describe_counts(counts: KeyCounts, out: TextIO) -> bool:
    """Print the counts; True when every data key is wrapped under the newest master key."""
    how = "each one opened" if counts.verified else "by stored key id"
    return describe_key_counts(
        out,
        what=f"member data keys ({how})",
        by_key=counts.by_key,
        others={
            "no key id stored (written before ids existed; `rotate` labels them)": counts.unlabelled,
            "under no configured key": counts.other,
        },
        setting=_SETTING,
        command="organising-recruitment-keys",
    )


async def run_command(args: argparse.Namespace, settings: RecruitmentSettings, out: TextIO = sys.stdout) -> int:
    vault = vault_of(settings)
    ids = vault.master_keys.ids
    if settings.master_keys_bytes[0] == base64.urlsafe_b64decode(DEV_MASTER_KEY):
        print(f"warning: the newest key in {_SETTING} is the DEVELOPMENT key", file=sys.stderr)
    client = make_mongo_client(settings.mongodb_url)
    try:
        database = client[settings.database]
        if args.command == "status":
            describe_counts(await count_member_keys(database, vault, verify=args.verify), out)
            return 0
        if args.batch_size < 1:
            print("--batch-size must be at least 1", file=sys.stderr)
            return 2
        print(f"rotating member data keys to key [{ids[0]}] (newest of {len(ids)} configured), {args.batch_size:,} per batch", file=out)
        started = time.monotonic()
        tally = await rotate_member_keys(database, vault, batch_size=args.batch_size, on_batch=ProgressPrinter(out))
        print(f"done in {time.monotonic() - started:.1f} s: {tally.line()}", file=out)
        # Counted again rather than trusted from the walk: keys written meanwhile count too.
        return 0 if describe_counts(await count_member_keys(database, vault), out) else 1
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return asyncio.run(run_command(args, RecruitmentSettings()))


if __name__ == "__main__":
    raise SystemExit(main())
