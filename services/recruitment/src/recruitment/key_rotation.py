"""Re-wrapping every member's data key under the newest master key, and counting keys per master key.

Only `member_keys` changes: the sealed fields in `members` are encrypted under each member's own
data key, which stays the same, so a rotation never reads or writes personal data, not even in
ciphertext. A data key written meanwhile by the service is wrapped under whatever key that
service had newest: with the new key already in front there, it needs nothing; with the old one,
the next `status` shows it and `rotate` run again re-wraps it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.rotation import DEFAULT_BATCH, Rewrite, RotationTally, Verdict, rotate_collection
from recruitment.master_keys import NoMasterKeyOpens
from recruitment.store import MEMBER_KEYS
from recruitment.vault import Vault


def rewrap_plan(vault: Vault) -> Callable[[Mapping[str, Any]], Rewrite | Verdict]:
    newest = vault.master_keys.newest_id

    def plan(document: Mapping[str, Any]) -> Rewrite | Verdict:
        member_id, wrapped, hint = document["_id"], document["wrapped_key"], document.get("key_id")
        try:
            opened_by = vault.wrapped_under(member_id, wrapped, hint)
        except NoMasterKeyOpens:
            return Verdict.UNREADABLE
        if opened_by == newest:
            if hint == newest:
                return Verdict.CURRENT
            # Wrapped under the newest key already (written before key ids existed): label it.
            return Rewrite(unchanged={"wrapped_key": wrapped}, update={"$set": {"key_id": newest}})
        rewrapped = vault.rewrap(member_id, wrapped, hint)
        return Rewrite(unchanged={"wrapped_key": wrapped}, update={"$set": {"wrapped_key": rewrapped.blob, "key_id": rewrapped.key_id}})

    return plan


async def rotate_member_keys(
    database: AsyncDatabase,
    vault: Vault,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[RotationTally], Awaitable[None] | None] | None = None,
) -> RotationTally:
    """Re-wrap every data key not labelled with the newest master key's id."""
    return await rotate_collection(
        database[MEMBER_KEYS],
        # `$ne` also selects keys with no id at all (written before ids existed).
        select={"key_id": {"$ne": vault.master_keys.newest_id}},
        projection={"wrapped_key": 1, "key_id": 1},
        plan=rewrap_plan(vault),
        batch_size=batch_size,
        on_batch=on_batch,
    )


@dataclass
class KeyCounts:
    by_key: dict[str, int]  # configured key id -> data keys wrapped under it, in the configured order
    unlabelled: int  # no key id stored (written before ids existed): `rotate` labels them
    other: int  # labelled with, or (verified) opened by, no configured key
    verified: bool  # counted by opening every wrapped key, not by the stored ids

    @property
    def total(self) -> int:
        return sum(self.by_key.values()) + self.unlabelled + self.other


async def count_member_keys(database: AsyncDatabase, vault: Vault, *, verify: bool = False, batch_size: int = DEFAULT_BATCH) -> KeyCounts:
    """How many data keys each configured master key wraps: by stored id, or by opening each one."""
    ids = vault.master_keys.ids
    collection = database[MEMBER_KEYS]
    if not verify:
        return KeyCounts(
            by_key={key_id: await collection.count_documents({"key_id": key_id}) for key_id in ids},
            unlabelled=await collection.count_documents({"key_id": {"$exists": False}}),
            other=await collection.count_documents({"key_id": {"$exists": True, "$nin": ids}}),
            verified=False,
        )
    counts = KeyCounts(by_key=dict.fromkeys(ids, 0), unlabelled=0, other=0, verified=True)
    async with collection.find({}, {"wrapped_key": 1, "key_id": 1}, batch_size=batch_size) as cursor:
        async for document in cursor:
            try:
                counts.by_key[vault.wrapped_under(document["_id"], document["wrapped_key"], document.get("key_id"))] += 1
            except NoMasterKeyOpens:
                counts.other += 1
    return counts
