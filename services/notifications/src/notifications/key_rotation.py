"""Re-sealing every webhook secret under the first ORGANISING_WEBHOOK_SECRET_KEYS key, and counting them per key.

A secret stored as given (written while no key was configured) is sealed as well. Subscriptions
are never edited in place, only created, paused and deleted: the compare-and-set on the secret
read keeps a pause (other fields) and a deletion (no upsert) as the service wrote them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from notifications.domain.secrets import NO_KEY, UNSEALED, SecretBox
from notifications.store import SUBSCRIPTIONS
from organising_shared.rotation import DEFAULT_BATCH, Rewrite, RotationTally, Verdict, rotate_collection

_WEBHOOKS = {"channel.type": "webhook"}


def reseal_plan(box: SecretBox) -> Callable[[Mapping[str, Any]], Rewrite | Verdict]:
    first = box.key_ids[0]

    def plan(subscription: Mapping[str, Any]) -> Rewrite | Verdict:
        channel = subscription["channel"]
        under = box.sealed_under(channel)
        if under == first:
            return Verdict.CURRENT
        if under == NO_KEY:
            return Verdict.UNREADABLE
        sealed = box.reseal(channel)
        if under == UNSEALED:
            return Rewrite(
                unchanged={"channel.secret": channel["secret"], "channel.secret_sealed": {"$exists": False}},
                update={"$set": {"channel.secret_sealed": sealed["secret_sealed"]}, "$unset": {"channel.secret": ""}},
            )
        return Rewrite(
            unchanged={"channel.secret_sealed": channel["secret_sealed"]},
            update={"$set": {"channel.secret_sealed": sealed["secret_sealed"]}},
        )

    return plan


async def rotate_webhook_secrets(
    database: AsyncDatabase,
    box: SecretBox,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[RotationTally], Awaitable[None] | None] | None = None,
) -> RotationTally:
    """Every webhook subscription is looked at: a Fernet token does not name its key, so there is
    no query for "not yet under the first key". Subscriptions number in the hundreds."""
    if not box.seals:
        raise LookupError("no ORGANISING_WEBHOOK_SECRET_KEYS is configured to seal with")
    return await rotate_collection(
        database[SUBSCRIPTIONS],
        select=_WEBHOOKS,
        projection={"channel": 1},
        plan=reseal_plan(box),
        batch_size=batch_size,
        on_batch=on_batch,
    )


async def count_webhook_secrets(database: AsyncDatabase, box: SecretBox, *, batch_size: int = DEFAULT_BATCH) -> dict[str, int]:
    """Webhook secrets per configured key id (in the configured order), then UNSEALED and NO_KEY."""
    counts = dict.fromkeys([*box.key_ids, UNSEALED, NO_KEY], 0)
    async with database[SUBSCRIPTIONS].find(_WEBHOOKS, {"channel": 1}, batch_size=batch_size) as cursor:
        async for subscription in cursor:
            counts[box.sealed_under(subscription["channel"])] += 1
    return counts
