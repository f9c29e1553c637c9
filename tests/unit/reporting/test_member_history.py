"""A member's history is stored as one string: it reads back as the same entries, in date order."""

from __future__ import annotations

from reporting.read_model.counting import MemberEntry
from reporting.read_model.ledger import decode, encode


def test_a_history_reads_back_in_the_order_the_counting_rules_use():
    later = MemberEntry("2026-05-01", "2026-05-01T01:00:00.000000+00:00", "b", "left", "cement", "35")
    earlier = MemberEntry("2026-02-01", "2026-02-01T01:00:00.000000+00:00", "a", "recruited", "cement", "35.78", "male", "daily", "")
    assert decode(encode([later, earlier])) == [earlier, later]


def test_an_empty_history_is_the_empty_string():
    assert encode([]) == "" and decode("") == []
