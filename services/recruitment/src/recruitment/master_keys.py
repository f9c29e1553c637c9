"""The recruitment master keys: the newest wraps, every listed one unwraps (rotation).

ORGANISING_RECRUITMENT_MASTER_KEY holds one key or several, comma-separated, newest first. A
member's data key is wrapped under the newest; one wrapped under an older key still opens, so a
new key can be put in front, the stored keys re-wrapped (`organising-recruitment-keys rotate`),
and the old key removed once none is wrapped under it.

Each wrapped key is stored with the id of the master key that wrapped it (`key_id`): a keyed
hash of the key, which names it without revealing it. It is a hint, not a proof: unwrapping
tries the named key first and then the others, so a record written before ids existed, or one
whose id is wrong, still opens.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from organising_shared.rotation import key_fingerprint

_NONCE_BYTES = 12
_KEY_BYTES = 32
_ID_LABEL = b"organising recruitment master key id"


class NoMasterKeyOpens(Exception):
    """No configured master key unwraps this data key. Carries no part of the record."""


def master_key_id(key: bytes) -> str:
    """A short name for `key` that can be printed and stored, and does not reveal it."""
    return key_fingerprint(key, _ID_LABEL)


@dataclass(frozen=True)
class Wrapped:
    blob: bytes  # nonce ‖ AES-GCM ciphertext of the data key
    key_id: str  # the master key that wrapped it


class MasterKeys:
    """The configured master keys, newest first."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one master key is needed")
        if any(len(key) != _KEY_BYTES for key in keys):
            raise ValueError("each master key must be 32 bytes")
        self._ids = [master_key_id(key) for key in keys]
        if len(set(self._ids)) != len(self._ids):
            raise ValueError("a master key is listed twice")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in zip(self._ids, keys, strict=True)}

    @property
    def ids(self) -> list[str]:
        """The ids of the configured keys, newest first."""
        return list(self._ids)

    @property
    def newest_id(self) -> str:
        return self._ids[0]

    def wrap(self, data_key: bytes, aad: bytes) -> Wrapped:
        nonce = os.urandom(_NONCE_BYTES)
        return Wrapped(nonce + self._ciphers[self.newest_id].encrypt(nonce, data_key, aad), self.newest_id)

    def unwrap(self, blob: bytes, aad: bytes, key_id: str | None = None) -> tuple[bytes, str]:
        """The data key and the id of the master key that opened it."""
        for candidate in self._trial_order(key_id):
            try:
                return self._ciphers[candidate].decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad), candidate
            except InvalidTag:
                continue
        raise NoMasterKeyOpens("no configured master key opens this data key")

    def _trial_order(self, hint: str | None) -> list[str]:
        # The stored id first: with it, a record costs one decryption, whatever its key's place.
        if hint in self._ciphers:
            return [hint, *(key_id for key_id in self._ids if key_id != hint)]
        return list(self._ids)
