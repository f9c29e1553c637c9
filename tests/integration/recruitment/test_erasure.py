"""UU PDP erasure: afterwards no query finds the person's name, phone or NIK; the events stay as they were."""

from __future__ import annotations

import logging

import bson
import pytest

from recruitment.master_keys import NoMasterKeyOpens
from recruitment.store import IDEMPOTENCY, IMPORT_ROWS, MEMBER_KEYS, MEMBERS, NIK_CLAIMS
from recruitment.vault import Vault
from tests.integration.recruitment import payloads
from tests.integration.recruitment.conftest import Tokens
from tests.integration.recruitment.support import outbox_drained, published

pytestmark = pytest.mark.integration

CSV_NAME, CSV_PHONE, CSV_NIK = "Dewi Lestari Anggraini", "081298765432", "3275014407900002"


async def every_document(db) -> list[bytes]:
    """The whole database, document by document, as stored (BSON)."""
    documents = []
    for name in await db.list_collection_names():
        documents += [bson.encode(doc) async for doc in db[name].find({})]
    return documents


def vault_of(settings) -> Vault:
    return Vault(
        master_keys=settings.master_keys_bytes,
        pseudonym_secret=settings.pseudonym_secret.get_secret_value().encode(),
        lookup_secret=settings.nik_secret.get_secret_value().encode(),
    )


async def test_erasure_leaves_nothing_that_identifies_the_person_and_keeps_the_events(client, tokens, db, recruitment_settings, caplog):
    caplog.set_level(logging.DEBUG)
    auth = Tokens.header(tokens.fspmi)
    body = payloads.member()
    nik, name, phone = body["nik"], body["full_name"], body["phone"]
    ref = (await client.post("/api/v1/members", json=body, headers={**auth, "Idempotency-Key": "erase-me"})).json()["member_ref"]
    kept = payloads.member()
    kept_ref = (await client.post("/api/v1/members", json=kept, headers=auth)).json()["member_ref"]
    csv = f"sector,workplace_id,region_code,employment_status,gender,recruited_on,full_name,phone,nik\nmetal,wp-9,32.16,daily,female,2026-03-01,{CSV_NAME},{CSV_PHONE},{CSV_NIK}\n"
    imported = await client.post("/api/v1/members/import", files={"file": ("m.csv", csv, "text/csv")}, headers=auth)
    assert imported.json()["registered"] == 1
    csv_ref = (await db[MEMBERS].find_one({"workplace_id": "wp-9"}))["member_ref"]

    vault = vault_of(recruitment_settings)
    member = await db[MEMBERS].find_one({"member_ref": ref})
    key = await db[MEMBER_KEYS].find_one({"_id": member["_id"]})
    assert vault.open(member["_id"], key["wrapped_key"], member["sealed"]) == {"full_name": name, "phone": phone, "nik": nik}
    assert await db[IDEMPOTENCY].count_documents({"member_ids": ref}) == 1
    assert await db[IMPORT_ROWS].count_documents({"member": csv_ref}) == 1
    assert await db[NIK_CLAIMS].count_documents({"member": {"$in": [ref, csv_ref]}}) == 2
    backup = [doc async for doc in db[MEMBERS].find({})]  # a backup of the collection, taken before erasure
    for document in await every_document(db):
        assert nik.encode() not in document and name.encode() not in document, "personal data stored in plain text"

    await outbox_drained(db, expected=3)
    before = [(r.key, r.value) for r, _ in await published(recruitment_settings, recruitment_settings.topics.membership, expected=3)]

    for erased_ref in (ref, csv_ref):
        response = await client.delete(f"/api/v1/members/{erased_ref}/personal-data", headers=auth)
        assert response.status_code == 200 and response.json() == {"member_ref": erased_ref, "erased": True}

    lookups = [vault.nik_lookup("FSPMI", nik), vault.nik_lookup("FSPMI", CSV_NIK)]
    for document in await every_document(db):
        for secret in (nik, name, phone, CSV_NAME, CSV_PHONE, CSV_NIK, *lookups):
            assert secret.encode() not in document, "erased personal data (or its lookup hash) still stored"
    for erased_ref in (ref, csv_ref):
        erased = await db[MEMBERS].find_one({"member_ref": erased_ref})
        assert "sealed" not in erased and erased["personal_data"] == "erased"
        assert await db[MEMBER_KEYS].count_documents({"_id": erased["_id"]}) == 0
        assert await db[NIK_CLAIMS].count_documents({"member": erased_ref}) == 0
        assert await db[IMPORT_ROWS].count_documents({"member": erased_ref}) == 0
        assert await db[IDEMPOTENCY].count_documents({"member_ids": erased_ref}) == 0

    # The backup still has the ciphertexts, but the key that opened them is gone; no other key opens them.
    old = next(doc for doc in backup if doc["member_ref"] == ref)
    assert await db[MEMBER_KEYS].find_one({"_id": old["_id"]}) is None
    other_key = (await db[MEMBER_KEYS].find_one({}))["wrapped_key"]
    with pytest.raises(NoMasterKeyOpens):
        vault.open(old["_id"], other_key, old["sealed"])

    # The member who was not erased keeps their data.
    survivor = await db[MEMBERS].find_one({"member_ref": kept_ref})
    survivor_key = await db[MEMBER_KEYS].find_one({"_id": survivor["_id"]})
    assert vault.open(survivor["_id"], survivor_key["wrapped_key"], survivor["sealed"])["nik"] == kept["nik"]

    # The events are untouched and no event was written for the erasure.
    after = [(r.key, r.value) for r, _ in await published(recruitment_settings, recruitment_settings.topics.membership, expected=3)]
    assert sorted(after) == sorted(before)  # partitions interleave in any order when read back
    assert (await client.delete(f"/api/v1/members/{ref}/personal-data", headers=auth)).status_code == 200  # erasing twice is fine

    for secret in (nik, name, phone, CSV_NAME, CSV_PHONE, CSV_NIK):
        assert secret not in caplog.text, "personal data in a log line"
