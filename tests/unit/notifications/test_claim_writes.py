"""How a claim's compare-and-set is split into writes: per status and attempt count read, and
never naming more rows in one write than the store checks cheaply."""

from __future__ import annotations

from pymongo import UpdateMany

from notifications.dispatcher import claim_filter, claim_writes
from organising_shared.mongo import KEYS_PER_LIST

UPDATE = {"$set": {"status": "sending"}, "$inc": {"attempts": 1}}


def row(n: int, status: str = "pending", attempts: int = 0) -> dict:
    return {"_id": f"d-{n}", "status": status, "attempts": attempts}


def test_rows_are_claimed_with_the_status_and_attempts_read_at_most_a_write_s_limit_at_a_time():
    limit = KEYS_PER_LIST
    pending = [row(i) for i in range(2 * limit + 3)]
    retrying = [row(1000 + i, "retrying", 2) for i in range(3)]
    taken_over = [row(2000, "sending", 1)]
    # Mixed order in, grouped out.
    chosen = [taken_over[0], *retrying[:1], *pending, *retrying[1:]]

    def ids(rows: list[dict]) -> list[str]:
        return [item["_id"] for item in rows]

    assert claim_writes(chosen, UPDATE) == [
        UpdateMany(claim_filter("pending", 0, ids(pending[:limit])), UPDATE),
        UpdateMany(claim_filter("pending", 0, ids(pending[limit : 2 * limit])), UPDATE),
        UpdateMany(claim_filter("pending", 0, ids(pending[2 * limit :])), UPDATE),
        UpdateMany(claim_filter("retrying", 2, ids(retrying)), UPDATE),
        UpdateMany(claim_filter("sending", 1, ids(taken_over)), UPDATE),
    ]


def test_nothing_chosen_is_no_write():
    assert claim_writes([], UPDATE) == []
