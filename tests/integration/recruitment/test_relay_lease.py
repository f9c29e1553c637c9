"""Replicas share one outbox: only the relay holding the lease publishes."""

from __future__ import annotations

import pytest

from recruitment.relay import RelayLease
from tests.integration.helpers import eventually

pytestmark = pytest.mark.integration


async def test_one_replica_holds_the_lease_until_it_releases_or_lets_it_expire(db):
    first, second = RelayLease(db, seconds=30), RelayLease(db, seconds=30)
    assert await first.hold()
    assert not await second.hold()
    assert await first.hold()  # renewing is holding
    await first.release()
    assert await second.hold()
    assert not await first.hold()

    short, other = RelayLease(db, seconds=0.001), RelayLease(db, seconds=30)
    await second.release()
    assert await short.hold()
    # An expired lease (a replica that died) is taken over by the next one that asks.
    await eventually(other.hold, timeout=5, what="the expired lease taken over")
    assert not await short.hold()
