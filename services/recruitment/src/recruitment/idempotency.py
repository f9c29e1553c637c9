"""Idempotency-Key: a retried POST gets the first answer back and writes nothing new.

The answer is stored in the same transaction as the write it describes, so there is never a
write without its answer nor an answer without its write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from organising_shared.auth import Principal
from recruitment import group_commit

MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class StoredAnswer:
    """What a write answered: whether it created something, and the body. The route turns it
    into HTTP (201 or 200), the first time and on every retry alike."""

    created: bool
    body: dict[str, Any]


class IdempotencyKeyReused(Exception):
    """The key was first used for a different request."""


@dataclass(frozen=True)
class IdempotencyScope:
    """One caller's key for one request, and a keyed fingerprint of that request."""

    principal: Principal
    key: str
    fingerprint: str

    @property
    def record_id(self) -> str:
        # Scoped by caller: two offices that happen to pick the same key never see each other's answer.
        return "\x1f".join((self.principal.role.value, self.principal.federation or "", self.principal.name, self.key))

    async def recall(self, records: AsyncCollection, session: AsyncClientSession | None = None) -> StoredAnswer | None:
        row = await records.find_one({"_id": self.record_id}, session=session)
        if row is None:
            return None
        if row["fingerprint"] != self.fingerprint:
            raise IdempotencyKeyReused
        # Records written before `created` existed hold the HTTP status instead.
        return StoredAnswer(created=row.get("created", row.get("status") == 201), body=row["body"])

    async def remember(
        self, records: AsyncCollection, answer: StoredAnswer, *, member_ids: Sequence[str] = (), session: AsyncClientSession | None = None
    ) -> None:
        # In a group commit, at the group's end; a concurrent twin's record makes this write run
        # again, and its `recall` then answers.
        await group_commit.insert(
            records,
            [
                {
                    "_id": self.record_id,
                    "fingerprint": self.fingerprint,
                    "created": answer.created,
                    "body": answer.body,
                    # Erasure deletes the records of a member's requests: their fingerprints were
                    # computed over the person's data.
                    "member_ids": list(member_ids),
                    "created_at": datetime.now(UTC),
                }
            ],
            session=session,
        )
