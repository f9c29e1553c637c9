"""Webhook secrets sealed at rest, with key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from notifications.domain.secrets import SecretBox

SECRET = "a-webhook-secret-of-some-length"


def test_sealed_secret_is_not_stored_as_given_and_opens_again():
    box = SecretBox([Fernet.generate_key().decode()])
    stored = box.seal(SECRET)
    assert set(stored) == {"secret_sealed"} and SECRET not in stored["secret_sealed"]
    assert box.open({"type": "webhook", **stored}) == SECRET


def test_rotation_a_new_first_key_still_opens_secrets_sealed_with_the_old_one():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = SecretBox([old]).seal(SECRET)
    assert SecretBox([new, old]).open(stored) == SECRET
    with pytest.raises(LookupError, match="not configured any more"):
        SecretBox([new]).open(stored)


def test_without_keys_secrets_are_stored_as_given_and_sealed_ones_cannot_be_opened():
    box = SecretBox([])
    assert box.seal(SECRET) == {"secret": SECRET}
    assert box.open({"secret": SECRET}) == SECRET
    sealed = SecretBox([Fernet.generate_key().decode()]).seal(SECRET)
    with pytest.raises(LookupError, match="no ORGANISING_WEBHOOK_SECRET_KEYS"):
        box.open(sealed)


def test_sealed_under_names_the_key_that_opens_a_secret_or_why_none_does():
    from notifications.domain.secrets import NO_KEY, UNSEALED, webhook_key_id

    old, new, gone = (Fernet.generate_key().decode() for _ in range(3))
    box = SecretBox([new, old])
    assert box.key_ids == [webhook_key_id(new), webhook_key_id(old)]
    assert box.sealed_under(SecretBox([old]).seal(SECRET)) == webhook_key_id(old)
    assert box.sealed_under(box.seal(SECRET)) == webhook_key_id(new)
    assert box.sealed_under({"secret": SECRET}) == UNSEALED
    assert box.sealed_under(SecretBox([gone]).seal(SECRET)) == NO_KEY


def test_reseal_moves_a_secret_under_the_first_key_and_seals_one_stored_as_given():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    for stored in (SecretBox([old]).seal(SECRET), {"secret": SECRET}):
        resealed = SecretBox([new, old]).reseal(stored)
        assert set(resealed) == {"secret_sealed"} and SecretBox([new]).open(resealed) == SECRET
    with pytest.raises(LookupError):
        SecretBox([]).reseal({"secret": SECRET})
