"""Which due rows one claim takes: receivers in turns, urgent rows first, each within its limit."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from notifications.dispatcher import pick_in_turns

T0 = datetime(2026, 11, 29, tzinfo=UTC)


def due(receiver: str, n: int, *, urgent: bool = False, age: int = 0) -> dict:
    return {"_id": f"{receiver}-{n}", "receiver": receiver, "urgent": urgent, "next_attempt_at": T0 + timedelta(seconds=age)}


def test_receivers_take_turns_rather_than_the_first_sorted_filling_the_claim():
    # All of a's rows sort before b's (older): a claim of 6 still gives b and c their share.
    candidates = (
        [due("a", i, age=i) for i in range(10)]
        + [due("b", i, age=100 + i) for i in range(10)]
        + [due("c", i, age=200 + i) for i in range(10)]
    )
    chosen = pick_in_turns(candidates, Counter(), {"a": 50, "b": 50, "c": 50}, room=6)
    assert Counter(row["receiver"] for row in chosen) == {"a": 2, "b": 2, "c": 2}
    # Within a receiver, oldest first.
    assert [row["_id"] for row in chosen if row["receiver"] == "a"] == ["a-0", "a-1"]


def test_a_receiver_already_holding_rows_waits_for_those_holding_fewer():
    candidates = [due("a", i) for i in range(10)] + [due("b", i) for i in range(10)]
    chosen = pick_in_turns(candidates, Counter({"a": 4}), {"a": 50, "b": 50}, room=6)
    assert Counter(row["receiver"] for row in chosen) == {"a": 1, "b": 5}


def test_urgent_rows_go_first_whichever_receiver_holds_them():
    candidates = [due("a", i) for i in range(5)] + [due("b", 0, urgent=True, age=500), due("b", 1, urgent=True, age=501)]
    chosen = pick_in_turns(candidates, Counter({"b": 9}), {"a": 50, "b": 50}, room=2)
    assert [row["_id"] for row in chosen] == ["b-0", "b-1"]


def test_each_receiver_stays_within_its_limit_and_the_room():
    candidates = [due("a", i) for i in range(10)] + [due("b", i) for i in range(10)]
    chosen = pick_in_turns(candidates, Counter({"a": 2}), {"a": 3, "b": 4}, room=100)
    assert Counter(row["receiver"] for row in chosen) == {"a": 1, "b": 4}
    assert pick_in_turns(candidates, Counter(), {"a": 3, "b": 4}, room=0) == []
    assert pick_in_turns(candidates, Counter({"a": 3, "b": 4}), {"a": 3, "b": 4}, room=10) == []
