"""Several master keys: the newest wraps, every one unwraps, and a data key moves between them unchanged."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import ValidationError

from recruitment.config import DEV_MASTER_KEY, RecruitmentSettings
from recruitment.master_keys import MasterKeys, NoMasterKeyOpens, master_key_id
from recruitment.vault import Vault

OLD, NEW = os.urandom(32), os.urandom(32)
PERSON = {"full_name": "Siti Rahayu", "phone": "081234567890", "nik": "3216012345670001"}


def vault(*keys: bytes) -> Vault:
    return Vault(master_keys=list(keys), pseudonym_secret=b"p", lookup_secret=b"l")


def test_the_newest_key_seals_and_a_member_sealed_under_an_older_one_still_opens():
    before = vault(OLD).seal("m_1", PERSON)
    assert before.key_id == master_key_id(OLD)
    both = vault(NEW, OLD)
    assert both.open("m_1", before.wrapped_key, before.fields, before.key_id) == PERSON
    assert both.open("m_1", before.wrapped_key, before.fields) == PERSON  # no id stored: every key is tried
    assert both.seal("m_2", PERSON).key_id == master_key_id(NEW)


def test_a_wrong_key_id_is_only_a_hint():
    sealed = vault(OLD).seal("m_1", PERSON)
    assert vault(NEW, OLD).open("m_1", sealed.wrapped_key, sealed.fields, key_id=master_key_id(NEW)) == PERSON
    assert vault(NEW, OLD).open("m_1", sealed.wrapped_key, sealed.fields, key_id="not-a-key") == PERSON


def test_rewrapping_moves_the_same_data_key_under_the_newest_key_and_the_old_key_can_go():
    sealed = vault(OLD).seal("m_1", PERSON)
    rotating = vault(NEW, OLD)
    assert rotating.wrapped_under("m_1", sealed.wrapped_key) == master_key_id(OLD)
    rewrapped = rotating.rewrap("m_1", sealed.wrapped_key, sealed.key_id)
    assert rewrapped.key_id == master_key_id(NEW) and rewrapped.blob != sealed.wrapped_key
    # The fields were not touched, and open under the new key alone.
    assert vault(NEW).open("m_1", rewrapped.blob, sealed.fields, rewrapped.key_id) == PERSON
    with pytest.raises(NoMasterKeyOpens):
        vault(NEW).open("m_1", sealed.wrapped_key, sealed.fields)


def test_a_rewrapped_key_stays_bound_to_its_member():
    rewrapped = vault(NEW, OLD).rewrap("m_1", vault(OLD).seal("m_1", PERSON).wrapped_key)
    with pytest.raises(NoMasterKeyOpens):
        vault(NEW).wrapped_under("m_2", rewrapped.blob)


def test_the_key_id_names_a_key_without_revealing_it():
    assert master_key_id(OLD) == master_key_id(OLD) != master_key_id(NEW)
    assert len(master_key_id(OLD)) == 12
    assert master_key_id(OLD) not in (OLD.hex(), base64.urlsafe_b64encode(OLD).decode())


def test_the_keyring_refuses_no_key_a_short_key_and_a_key_listed_twice():
    for keys in ([], [b"short"], [OLD, OLD]):
        with pytest.raises(ValueError):
            MasterKeys(keys)


def _encoded(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def test_the_setting_lists_keys_newest_first(monkeypatch):
    monkeypatch.setenv("ORGANISING_RECRUITMENT_MASTER_KEY", f" {_encoded(NEW)} , {_encoded(OLD)}\n")
    assert RecruitmentSettings().master_keys_bytes == [NEW, OLD]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        (f"{_encoded(NEW)},{_encoded(b'short')}", "key 2 of 2 must decode to 32 bytes"),
        (f"{_encoded(NEW)},x", "key 2 of 2 must be URL-safe base64"),
        (f"{_encoded(NEW)},{_encoded(NEW)}", "listed twice"),
    ],
)
def test_a_bad_key_list_is_refused_by_its_place_never_echoed(monkeypatch, value, message):
    monkeypatch.setenv("ORGANISING_RECRUITMENT_MASTER_KEY", value)
    with pytest.raises(ValidationError, match=message) as refused:
        RecruitmentSettings()
    # Not even a prefix: pydantic shortens a long value it echoes, so the whole key could hide a leak.
    assert _encoded(NEW)[:8] not in str(refused.value)


def test_the_development_key_anywhere_in_the_list_still_warns(monkeypatch):
    monkeypatch.setenv("ORGANISING_RECRUITMENT_MASTER_KEY", f"{_encoded(NEW)},{DEV_MASTER_KEY}")
    monkeypatch.setenv("ORGANISING_RECRUITMENT_PSEUDONYM_SECRET", "a-real-pseudonym-secret")
    monkeypatch.setenv("ORGANISING_RECRUITMENT_NIK_SECRET", "a-real-nik-secret")
    assert RecruitmentSettings().uses_development_secrets
    monkeypatch.setenv("ORGANISING_RECRUITMENT_MASTER_KEY", _encoded(NEW))
    assert not RecruitmentSettings().uses_development_secrets
