"""Sealing personal data, keyed lookups and pseudonyms."""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag

from recruitment.master_keys import NoMasterKeyOpens
from recruitment.vault import MEMBER_REF_PREFIX, Vault


def vault(master: bytes | None = None, pseudonym: bytes = b"p-secret", lookup: bytes = b"l-secret") -> Vault:
    return Vault(master_keys=[master or bytes(range(32))], pseudonym_secret=pseudonym, lookup_secret=lookup)


def test_sealed_fields_open_with_the_member_key_and_hold_no_plain_text():
    v = vault()
    sealed = v.seal("m_1", {"full_name": "Siti Rahayu", "nik": "3216012345670001"})
    assert all(b"Siti" not in blob and b"3216012345670001" not in blob for blob in sealed.fields.values())
    assert b"3216" not in sealed.wrapped_key
    assert v.open("m_1", sealed.wrapped_key, sealed.fields) == {"full_name": "Siti Rahayu", "nik": "3216012345670001"}


def test_each_member_has_its_own_key_and_ciphertexts_cannot_be_moved_between_members_or_fields():
    v = vault()
    first, second = v.seal("m_1", {"nik": "1111222233334444"}), v.seal("m_2", {"nik": "1111222233334444"})
    assert first.wrapped_key != second.wrapped_key and first.fields["nik"] != second.fields["nik"]
    with pytest.raises(InvalidTag):
        v.open("m_2", second.wrapped_key, first.fields)  # another member's key
    with pytest.raises(NoMasterKeyOpens):
        v.open("m_2", first.wrapped_key, first.fields)  # key moved to another member
    with pytest.raises(InvalidTag):
        v.open("m_1", first.wrapped_key, {"phone": first.fields["nik"]})  # ciphertext moved to another field


def test_a_wrapped_key_needs_the_master_key():
    sealed = vault().seal("m_1", {"nik": "1111222233334444"})
    with pytest.raises(NoMasterKeyOpens):
        vault(master=os.urandom(32)).open("m_1", sealed.wrapped_key, sealed.fields)


def test_member_ref_is_a_bounded_keyed_pseudonym():
    v = vault()
    ref = v.member_ref("FSPMI", "abc")
    assert ref.startswith(MEMBER_REF_PREFIX) and len(ref) <= 64
    assert ref == v.member_ref("FSPMI", "abc")
    assert ref != v.member_ref("SPN", "abc")
    assert ref != vault(pseudonym=b"other").member_ref("FSPMI", "abc")
    assert "abc" not in ref and "FSPMI" not in ref


def test_nik_lookup_is_keyed_and_scoped_by_federation():
    v = vault()
    import hashlib

    nik = "3216012345670001"
    assert v.nik_lookup("FSPMI", nik) == v.nik_lookup("FSPMI", nik)
    assert v.nik_lookup("FSPMI", nik) != v.nik_lookup("SPN", nik)
    assert v.nik_lookup("FSPMI", nik) != vault(lookup=b"other").nik_lookup("FSPMI", nik)
    assert v.nik_lookup("FSPMI", nik) != hashlib.sha256(nik.encode()).hexdigest()


def test_the_master_key_must_be_32_bytes():
    with pytest.raises(ValueError):
        Vault(master_keys=[b"short"], pseudonym_secret=b"p", lookup_secret=b"l")
