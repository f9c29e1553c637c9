"""The recruitment database: its collections, their indexes, and running work in one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import ASCENDING, AsyncMongoClient, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

T = TypeVar("T")

MEMBERS = "members"  # _id = member_ref: reference data, status, the sealed personal data
MEMBER_KEYS = "member_keys"  # _id = member_ref: the wrapped data key and its master key id; deleting it shreds the ciphertexts
NIK_CLAIMS = "nik_claims"  # _id = keyed NIK hash of an active member: finds duplicates, unique by _id
IMPORT_ROWS = "import_rows"  # _id = keyed fingerprint of an imported CSV row: re-uploads register nothing twice
IMPORTS = "imports"  # _id = keyed fingerprint of a whole file whose import completed
UNITS = "union_units"
CASES = "cases"
PLAN_ITEMS = "plan_items"  # _id = item_id: the items this intake accepted, their owner, sector and last status
ACTIVITIES = "activities"  # _id = activity_id: reported ids, so one is never reported twice
WORKPLACES = "workplaces"  # _id = "<federation>|<workplace_id>": the workplaces each federation registered here
OUTBOX = "outbox"  # the events to publish, numbered by `seq`, kept as the record of what was reported
COUNTERS = "counters"
IDEMPOTENCY = "idempotency"
LEASES = "leases"

# A request racing another one on a unique key loses with DuplicateKeyError; run again, it sees
# the winner's committed state and answers from it. One more than the races a write can lose
# (a NIK claim, an idempotency record): a registration inserts its NIK claim without looking
# first, so an already registered NIK costs it one run as well.
_DUPLICATE_RETRIES = 4


async def ensure_indexes(db: AsyncDatabase) -> None:
    # Few secondary indexes, on purpose: each costs every import row a write. Members point at
    # their NIK claim and import fingerprint, so leaving and erasure find them by _id.
    await db[MEMBERS].create_index([("federation", ASCENDING), ("_id", ASCENDING)])
    await db[OUTBOX].create_index([("federation", ASCENDING), ("seq", ASCENDING)])  # a federation's events page
    await db[OUTBOX].create_index([("seq", ASCENDING)])  # the relay's scans (see outbox.py)
    with contextlib.suppress(OperationFailure):  # the events page read by `_id` before rows were numbered by the relay
        await db[OUTBOX].drop_index("federation_1__id_1")
    await _give_outbox_rows_their_seq(db)
    await db[IDEMPOTENCY].create_index([("member_ids", ASCENDING)])
    await db[PLAN_ITEMS].create_index([("owner", ASCENDING), ("_id", ASCENDING)])  # GET /plan-items


async def _give_outbox_rows_their_seq(db: AsyncDatabase) -> None:
    """Rows written before `seq` existed get it, so the relay's scan by `seq` cannot skip them."""
    missing = [row["_id"] async for row in db[OUTBOX].find({"seq": {"$exists": False}}, {"_id": 1})]
    if missing:
        await db[OUTBOX].bulk_write([UpdateOne({"_id": row_id}, {"$set": {"seq": row_id}}) for row_id in missing])


async def in_transaction(client: AsyncMongoClient, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; retried by the driver on transient errors (write conflicts)."""
    for attempt in range(_DUPLICATE_RETRIES):
        try:
            async with client.start_session() as session:
                return await session.with_transaction(work)
        except DuplicateKeyError:
            if attempt == _DUPLICATE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
