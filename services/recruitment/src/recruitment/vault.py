"""Personal data at rest: per-member data keys wrapped by the master key, keyed hashes, pseudonyms.

Crypto-shredding: each member's name, phone and NIK are sealed with that member's own random
AES-256-GCM key, and only the wrapped form of that key is stored (in its own collection). Erasure
deletes the wrapped key with the ciphertexts, so a backup that still holds the ciphertexts holds
nothing anyone can open: the key that opened them no longer exists anywhere.

Rotating the master key re-wraps the data keys only (`recruitment.key_rotation`): the sealed
fields never change, so a rotation touches one small document per member.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from recruitment.master_keys import MasterKeys, Wrapped

_NONCE_BYTES = 12
MEMBER_REF_PREFIX = "m_"


@dataclass(frozen=True)
class SealedMember:
    """What is stored for a member's personal data: the wrapped key and one ciphertext per field."""

    wrapped_key: bytes
    key_id: str  # the master key that wrapped it (recruitment.master_keys)
    fields: dict[str, bytes]


class Vault:
    def __init__(self, *, master_keys: Sequence[bytes], pseudonym_secret: bytes, lookup_secret: bytes) -> None:
        """`master_keys`: newest first; the newest wraps, every one unwraps."""
        self.master_keys = MasterKeys(master_keys)
        self._pseudonym_secret = pseudonym_secret
        self._lookup_secret = lookup_secret

    # -- identities ---------------------------------------------------------------------------

    @staticmethod
    def new_member_id() -> str:
        """The internal id: random, so nothing about the person can be derived from it."""
        return secrets.token_hex(16)

    def member_ref(self, federation: str, member_id: str) -> str:
        """The public pseudonym: without the secret it cannot be linked to the internal id."""
        digest = hmac.new(self._pseudonym_secret, f"{federation}\x1f{member_id}".encode(), hashlib.sha256).hexdigest()
        return MEMBER_REF_PREFIX + digest[:32]

    def nik_lookup(self, federation: str, nik: str) -> str:
        """A keyed hash for finding duplicates: a plain hash of a 16-digit NIK is brute-forced in hours."""
        return self._keyed("nik", federation, nik)

    def fingerprint(self, *parts: str) -> str:
        """A keyed hash of arbitrary request content (it may hold personal data)."""
        return self._keyed("fp", *parts)

    def _keyed(self, purpose: str, *parts: str) -> str:
        message = "\x1f".join((purpose, *parts)).encode()
        return hmac.new(self._lookup_secret, message, hashlib.sha256).hexdigest()

    # -- sealing ------------------------------------------------------------------------------

    def seal(self, member_id: str, fields: dict[str, str]) -> SealedMember:
        data_key = AESGCM.generate_key(bit_length=256)
        sealed = {name: _encrypt(AESGCM(data_key), value.encode(), _aad(member_id, name)) for name, value in fields.items()}
        wrapped = self.master_keys.wrap(data_key, _aad(member_id, "key"))
        return SealedMember(wrapped_key=wrapped.blob, key_id=wrapped.key_id, fields=sealed)

    def open(self, member_id: str, wrapped_key: bytes, fields: dict[str, bytes], key_id: str | None = None) -> dict[str, str]:
        """The member's fields in plain text; `key_id` (stored beside the wrapped key) is a hint."""
        data_key, _ = self.master_keys.unwrap(wrapped_key, _aad(member_id, "key"), key_id)
        return {name: _decrypt(AESGCM(data_key), value, _aad(member_id, name)).decode() for name, value in fields.items()}

    def wrapped_under(self, member_id: str, wrapped_key: bytes, key_id: str | None = None) -> str:
        """The id of the master key that opens this member's wrapped key (NoMasterKeyOpens if none)."""
        return self.master_keys.unwrap(wrapped_key, _aad(member_id, "key"), key_id)[1]

    def rewrap(self, member_id: str, wrapped_key: bytes, key_id: str | None = None) -> Wrapped:
        """The same data key, wrapped under the newest master key (NoMasterKeyOpens if none opens it)."""
        data_key, _ = self.master_keys.unwrap(wrapped_key, _aad(member_id, "key"), key_id)
        return self.master_keys.wrap(data_key, _aad(member_id, "key"))


def _aad(member_id: str, field: str) -> bytes:
    # Binding each ciphertext to its member and field stops one being swapped for another.
    return f"{member_id}\x1f{field}".encode()


def _encrypt(cipher: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + cipher.encrypt(nonce, plaintext, aad)


def _decrypt(cipher: AESGCM, blob: bytes, aad: bytes) -> bytes:
    return cipher.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad)
