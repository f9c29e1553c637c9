"""Webhook secrets at rest: sealed with Fernet when the operator configures a key.

The service must read a secret back to sign with it, so it cannot be hashed. With
ORGANISING_WEBHOOK_SECRET_KEYS set (comma-separated Fernet keys, the first one seals, all of them
open: rotation), a copy of the database alone does not reveal the secrets. Without it they are
stored as given, and the service logs a warning at start.

`organising-notifications-keys rotate` re-seals every stored secret under the first key (and
seals the ones stored as given); `status` counts them per key (`sealed_under`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from organising_shared.rotation import key_fingerprint

UNSEALED = "stored as given"
NO_KEY = "opened by no configured key"
_ID_LABEL = b"organising webhook secret key id"


def webhook_key_id(key: str) -> str:
    """A short printable name for a Fernet key that does not reveal it."""
    return key_fingerprint(key.encode(), _ID_LABEL)


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        self._keys = [(webhook_key_id(key), Fernet(key.encode())) for key in keys]
        self._fernet = MultiFernet([fernet for _, fernet in self._keys]) if keys else None

    @property
    def key_ids(self) -> list[str]:
        """The configured keys' ids, first (sealing) key first."""
        return [key_id for key_id, _ in self._keys]

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

    def sealed_under(self, channel: Mapping[str, Any]) -> str:
        """The id of the configured key that opens the channel's secret, or UNSEALED, or NO_KEY."""
        if "secret_sealed" not in channel:
            return UNSEALED
        token = channel["secret_sealed"].encode()
        for key_id, fernet in self._keys:
            try:
                fernet.decrypt(token)
            except InvalidToken:
                continue
            return key_id
        return NO_KEY

    def reseal(self, channel: Mapping[str, Any]) -> dict[str, str]:
        """The channel's secret sealed under the first key (LookupError if it cannot be opened)."""
        if self._fernet is None:
            raise LookupError("no ORGANISING_WEBHOOK_SECRET_KEYS is configured to seal with")
        return self.seal(self.open(channel))
