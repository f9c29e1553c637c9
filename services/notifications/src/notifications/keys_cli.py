"""`organising-notifications-keys`: rotate the keys sealing webhook secrets, and see where rotation stands.

    organising-notifications-keys status
    organising-notifications-keys rotate [--batch-size N]

ORGANISING_WEBHOOK_SECRET_KEYS lists Fernet keys, comma-separated, the sealing key first. To
rotate: put the new key in front in the service's settings and restart it, run `rotate` (safe
while the service runs; run it again at any time), then remove the old key once `status` shows no
secret under it. `rotate` also seals secrets stored as given before any key was configured.
Output is counts and key ids only, never a secret.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TextIO

from notifications.config import NotificationsSettings
from notifications.domain.secrets import NO_KEY, UNSEALED, SecretBox
from notifications.key_rotation import count_webhook_secrets, rotate_webhook_secrets
from organising_shared.mongo import make_mongo_client
from organising_shared.rotation import DEFAULT_BATCH, ProgressPrinter, describe_key_counts

_SETTING = "ORGANISING_WEBHOOK_SECRET_KEYS"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="organising-notifications-keys", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="count the webhook secrets sealed under each key")
    rotate = commands.add_parser("rotate", help="re-seal every webhook secret under the first key")
    rotate.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="subscriptions read and written per round trip")
    return parser


def describe_counts(counts: dict[str, int], box: SecretBox, out: TextIO) -> bool:
    return describe_key_counts(
        out,
        what="webhook secrets",
        by_key={key_id: counts[key_id] for key_id in box.key_ids},
        others={"stored as given, not sealed (`rotate` seals them)": counts[UNSEALED], "opened by no configured key": counts[NO_KEY]},
        setting=_SETTING,
        command="organising-notifications-keys",
    )


async def run_command(args: argparse.Namespace, settings: NotificationsSettings, out: TextIO = sys.stdout) -> int:
    box = SecretBox(settings.secret_keys)
    if not box.seals:
        print(f"{_SETTING} is not set: there is no key to count by or to seal with", file=sys.stderr)
        return 2
    client = make_mongo_client(settings.mongodb_url)
    try:
        database = client[settings.database]
        if args.command == "status":
            describe_counts(await count_webhook_secrets(database, box), box, out)
            return 0
        if args.batch_size < 1:
            print("--batch-size must be at least 1", file=sys.stderr)
            return 2
        print(f"re-sealing webhook secrets under key [{box.key_ids[0]}] (first of {len(box.key_ids)} configured)", file=out)
        started = time.monotonic()
        tally = await rotate_webhook_secrets(database, box, batch_size=args.batch_size, on_batch=ProgressPrinter(out))
        print(f"done in {time.monotonic() - started:.1f} s: {tally.line()}", file=out)
        # Counted again rather than trusted from the walk: secrets written meanwhile count too.
        return 0 if describe_counts(await count_webhook_secrets(database, box), box, out) else 1
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return asyncio.run(run_command(args, NotificationsSettings()))


if __name__ == "__main__":
    raise SystemExit(main())
