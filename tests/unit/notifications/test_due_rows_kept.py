"""Claims pick from the due rows one read found, for a while, instead of reading them all again."""

from __future__ import annotations

from notifications.dispatcher import DueRowsKept


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rows(*ids: str) -> list[dict]:
    return [{"_id": delivery_id} for delivery_id in ids]


def test_nothing_is_kept_before_the_first_read():
    assert DueRowsKept(keep_seconds=1.0, clock=Clock()).fresh() is None


def test_the_rows_left_by_each_claim_are_kept_in_order_until_none_is_left():
    clock = Clock()
    kept = DueRowsKept(keep_seconds=1.0, clock=clock)
    kept.found(rows("a", "b", "c"), read_at=clock.now)
    kept.taken(rows("b"))
    clock.now += 0.5
    assert kept.fresh() == rows("a", "c")
    kept.taken(rows("a", "c"))
    assert kept.fresh() is None  # the store is read again


def test_rows_are_kept_only_for_a_while_counted_from_the_start_of_the_read():
    clock = Clock()
    kept = DueRowsKept(keep_seconds=1.0, clock=clock)
    kept.found(rows("a"), read_at=clock.now - 0.4)  # the read took 0.4 s
    clock.now += 0.5
    assert kept.fresh() == rows("a")
    clock.now += 0.2
    assert kept.fresh() is None


def test_new_rows_queued_here_make_the_next_claim_read_the_store():
    clock = Clock()
    kept = DueRowsKept(keep_seconds=1.0, clock=clock)
    kept.found(rows("a", "b"), read_at=clock.now)
    kept.forget()
    assert kept.fresh() is None
