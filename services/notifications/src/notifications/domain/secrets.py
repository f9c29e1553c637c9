"""Webhook secrets at rest: sealed with Fernet when the operator configures a key.

The service must read a secret back to sign with it, so it cannot be hashed. With
ORGANISING_WEBHOOK_SECRET_KEYS set (comma-separated Fernet keys, the first one seals, all of them
open: rotation), a copy of the database alone does not reveal the secrets. Without it they are
stored as given, and the service logs a warning at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None

    @property
    def seals(self) -> bool:
        return self._fernet is not None

    def seal(self, secret: str) -> dict[str, str]:
        """The channel fields that hold `secret`."""
        if self._fernet is None:
            return {"secret": secret}
        return {"secret_sealed": self._fernet.encrypt(secret.encode()).decode()}

    def open(self, channel: Mapping[str, Any]) -> str:
        if "secret_sealed" not in channel:
            return channel["secret"]
        if self._fernet is None:
            raise LookupError("the webhook secret is sealed, and no ORGANISING_WEBHOOK_SECRET_KEYS is configured")
        try:
            return self._fernet.decrypt(channel["secret_sealed"].encode()).decode()
        except InvalidToken:
            raise LookupError("the webhook secret was sealed with a key that is not configured any more") from None
