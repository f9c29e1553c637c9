"""`rare_collections`: start-up is frozen, passes are rare inside, and everything is put back."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref

from organising_shared.heap import collect_every, rare_collections


def test_inside_start_up_is_frozen_and_a_pass_waits_for_the_given_number_of_objects():
    before = gc.get_threshold()
    with rare_collections(123_456):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (123_456, *before[1:])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_overlapping_uses_end_in_any_order_and_the_last_one_puts_everything_back():
    before = gc.get_threshold()
    first, second = rare_collections(200_000), rare_collections(300_000)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == 200_000 and gc.get_freeze_count() > 0  # the second still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_cycles_are_still_freed_once_enough_objects_pile_up():
    class Node:
        pass

    with rare_collections(1_000):
        collected = []
        gc.callbacks.append(lambda phase, info: collected.append(info["collected"]) if phase == "stop" else None)
        try:
            for _ in range(5_000):
                node = Node()
                node.self = node  # a cycle: only the collector can free it
            del node
        finally:
            gc.callbacks.pop()
    assert sum(collected) > 0


async def test_collect_every_frees_a_cycle_the_raised_threshold_would_keep():
    class Node:
        pass

    with rare_collections(10**9):  # no automatic pass in this test's lifetime
        node = Node()
        node.self = node  # a cycle: only the collector can free it
        gone = weakref.ref(node)
        del node
        assert gone() is not None
        collector = asyncio.create_task(collect_every(0.01))
        try:
            deadline = time.monotonic() + 5
            while gone() is not None and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert gone() is None, "the cycle was not collected"
        finally:
            collector.cancel()
