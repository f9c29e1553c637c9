"""Issued tokens, stored only as hashes.

Tokens are 256 random bits, so a plain SHA-256 is enough to make a leaked collection useless: no
password stretching is needed for secrets that cannot be guessed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection

from organising_shared.auth.principal import Principal, Role

TOKEN_PREFIX = "org_"


class _Revocations:
    """How many revocations this process has made, by any TokenStore: a remembered principal
    (`Authenticator(remember_seconds=...)`) is forgotten as soon as this moves."""

    count = 0


def revocations() -> int:
    return _Revocations.count


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    def __init__(self, collection: AsyncCollection) -> None:
        self._tokens = collection

    async def issue(self, *, name: str, role: Role, federation: str | None) -> str:
        if (role is Role.FEDERATION) != (federation is not None):
            raise ValueError("a federation token names exactly one federation; other roles name none")
        if await self._tokens.find_one({"name": name, "revoked_at": None}):
            raise ValueError(f"an active token named {name!r} exists; revoke it first")
        token = new_token()
        await self._tokens.insert_one(
            {
                "_id": hash_token(token),
                "name": name,
                "role": role.value,
                "federation": federation,
                "created_at": datetime.now(UTC),
                "revoked_at": None,
            }
        )
        return token

    async def revoke(self, name: str) -> int:
        result = await self._tokens.update_many({"name": name, "revoked_at": None}, {"$set": {"revoked_at": datetime.now(UTC)}})
        _Revocations.count += 1
        return result.modified_count

    async def principal_for(self, token: str) -> Principal | None:
        """The active token's holder, or None for an unknown or revoked token."""
        row = await self._tokens.find_one({"_id": hash_token(token), "revoked_at": None})
        if row is None:
            return None
        return Principal(name=row["name"], role=Role(row["role"]), federation=row.get("federation"))

    async def list(self) -> list[dict]:
        return [
            {key: row.get(key) for key in ("name", "role", "federation", "created_at", "revoked_at")}
            async for row in self._tokens.find({}, sort=[("created_at", 1)])
        ]
