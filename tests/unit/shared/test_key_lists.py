"""Reads by key go to the store in short lists (organising_shared.mongo.KEYS_PER_LIST)."""

from __future__ import annotations

from organising_shared.mongo import KEYS_PER_LIST, key_lists


def test_keys_go_in_order_in_lists_of_at_most_the_size():
    keys = (f"k{i}" for i in range(2 * KEYS_PER_LIST + 1))  # any iterable, a generator too
    lists = list(key_lists(keys))
    assert [len(listed) for listed in lists] == [KEYS_PER_LIST, KEYS_PER_LIST, 1]
    assert [key for listed in lists for key in listed] == [f"k{i}" for i in range(2 * KEYS_PER_LIST + 1)]


def test_a_size_of_its_own_and_no_keys():
    assert list(key_lists(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(key_lists([])) == []
