"""Rotating ORGANISING_WEBHOOK_SECRET_KEYS against the real store, while the service runs.

Secrets sealed under key A (and one stored as given, from before any key was configured) are
re-sealed under B by `organising-notifications-keys rotate` (the installed command); with A
removed every secret still opens, identical. A pause or a deletion made during the rotation is
kept as made, and no command prints a secret.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from notifications.domain.secrets import SecretBox, webhook_key_id
from notifications.key_rotation import count_webhook_secrets, rotate_webhook_secrets
from notifications.store import SUBSCRIPTIONS
from organising_shared.rotation import RotationTally
from tests.integration.notifications.conftest import make_settings, running_service, webhook

pytestmark = pytest.mark.integration

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
COMMAND = Path(sys.executable).with_name("organising-notifications-keys")
HOOK = "http://127.0.0.1:9/hook"


async def subscribe_webhooks(service, count: int, first: int) -> dict[str, str]:
    secrets = {}
    for number in range(first, first + count):
        secret = f"rotation-test-secret-{number:04d}-xyz"
        secrets[(await service.subscribe(webhook(HOOK, secret)))["id"]] = secret
    return secrets


async def secrets_opened(database, box: SecretBox) -> dict[str, str]:
    return {row["_id"]: box.open(row["channel"]) async for row in database[SUBSCRIPTIONS].find({"channel.type": "webhook"})}


async def run_keys_command(settings, keys: str, *args: str) -> tuple[int, str]:
    environment = {
        **os.environ,
        "MONGODB_URL": settings.mongodb_url,
        "ORGANISING_DATABASE": settings.database,
        "ORGANISING_WEBHOOK_SECRET_KEYS": keys,
    }
    process = await asyncio.create_subprocess_exec(
        str(COMMAND), *args, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    async with asyncio.timeout(120):
        output, _ = await process.communicate()
    return process.returncode, output.decode()


async def test_rotate_webhook_secrets_to_a_new_key_then_remove_the_old_one(isolated_settings, namespace):
    unsealed_settings = make_settings(isolated_settings, namespace, webhook_secret_keys=None)
    async with running_service(unsealed_settings) as service:
        secrets = await subscribe_webhooks(service, 1, first=0)  # from before any key was configured
    async with running_service(make_settings(isolated_settings, namespace, webhook_secret_keys=KEY_A)) as service:
        secrets |= await subscribe_webhooks(service, 6, first=1)
        await service.subscribe({"type": "email", "address": "advokasi@fspmi.example"})
        database = service.database
        assert await secrets_opened(database, SecretBox([KEY_A])) == secrets

        code, before = await run_keys_command(service.settings, f"{KEY_B},{KEY_A}", "status")
        assert code == 0, before
        assert f"key 2 of 2 [{webhook_key_id(KEY_A)}]: 6" in before and "stored as given, not sealed (`rotate` seals them): 1" in before

        code, rotated = await run_keys_command(service.settings, f"{KEY_B},{KEY_A}", "rotate", "--batch-size", "3")
        assert code == 0, rotated
        assert "7 of 7 looked at (100 %): 7 re-sealed" in rotated and "the older keys may be removed" in rotated

        # Key A removed: every secret opens with B alone, as it was submitted, and none is stored as given.
        assert await secrets_opened(database, SecretBox([KEY_B])) == secrets
        assert await database[SUBSCRIPTIONS].count_documents({"channel.secret": {"$exists": True}}) == 0
        code, after = await run_keys_command(service.settings, KEY_B, "status")
        assert code == 0 and f"key 1 of 1 [{webhook_key_id(KEY_B)}] (newest: seals new ones): 7" in after, after

        code, again = await run_keys_command(service.settings, f"{KEY_B},{KEY_A}", "rotate")
        assert code == 0 and "7 of 7 looked at (100 %): 0 re-sealed, 7 already current" in again, again

    for output in (before, rotated, after, again):
        for secret in secrets.values():
            assert secret not in output, "a webhook secret in the command's output"
    code, refused = await run_keys_command(service.settings, "", "rotate")
    assert code == 2 and "ORGANISING_WEBHOOK_SECRET_KEYS is not set" in refused


async def test_a_pause_and_a_deletion_during_the_rotation_are_kept(isolated_settings, namespace):
    async with running_service(make_settings(isolated_settings, namespace, webhook_secret_keys=KEY_A)) as service:
        secrets = await subscribe_webhooks(service, 6, first=0)
        database = service.database
        last_two = sorted(secrets)[-2:]

        async def meanwhile(tally: RotationTally) -> None:
            if tally.seen == 2:  # the last two are not rotated yet
                assert (await service.admin.post(f"/api/v1/subscriptions/{last_two[0]}/pause")).status_code == 200
                assert (await service.admin.delete(f"/api/v1/subscriptions/{last_two[1]}")).status_code == 204

        tally = await rotate_webhook_secrets(database, SecretBox([KEY_B, KEY_A]), batch_size=2, on_batch=meanwhile)
        # The deleted one is either not read at all or read and then left alone (its compare-and-set finds nothing).
        assert tally.rewritten == 5 and tally.seen == 5 + tally.changed_meanwhile

        del secrets[last_two[1]]
        assert await database[SUBSCRIPTIONS].find_one({"_id": last_two[1]}) is None
        assert (await database[SUBSCRIPTIONS].find_one({"_id": last_two[0]}))["paused"] is True
        assert await secrets_opened(database, SecretBox([KEY_B])) == secrets
        assert (await count_webhook_secrets(database, SecretBox([KEY_B, KEY_A])))[webhook_key_id(KEY_B)] == 5
