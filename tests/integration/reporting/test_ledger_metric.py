"""The member ledger is the one part of reporting's memory that grows by design: operators (and
`make soak`) read its size as `organising_member_ledger_members`."""

from __future__ import annotations

import pytest

from tests.integration.helpers import eventually, sample
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import applied_at_least, publish, running_service

pytestmark = pytest.mark.integration

LEDGER_MEMBERS = "organising_member_ledger_members"


async def test_the_ledger_gauge_counts_the_members_held_in_memory(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, [b.recruited(f"m-ledger-{i}", workplace=f"wp-{i % 3}") for i in range(5)])
        await eventually(lambda: applied_at_least(reporting_settings, 5), what="five recruitments applied")
        assert sample((await client.get("/metrics")).text, LEDGER_MEMBERS) == 5

        # Three new members and one already held (she leaves): the ledger holds eight.
        later = [b.recruited(f"m-ledger-{i}", workplace="wp-9") for i in range(5, 8)] + [b.left("m-ledger-0", workplace="wp-0")]
        await publish(reporting_settings, later)
        await eventually(lambda: applied_at_least(reporting_settings, 9), what="the later events applied")
        assert sample((await client.get("/metrics")).text, LEDGER_MEMBERS) == 8
