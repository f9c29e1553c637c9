"""The member ledger is the one part of reporting's memory that grows by design: operators (and
`make soak`) read its size as `organising_member_ledger_members`."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import applied_offsets, publish, running_service

pytestmark = pytest.mark.integration


def ledger_members(scraped: str) -> float | None:
    for family in text_string_to_metric_families(scraped):
        if family.name == "organising_member_ledger_members":
            return family.samples[0].value
    return None


async def test_the_ledger_gauge_counts_the_members_held_in_memory(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, [b.recruited(f"m-ledger-{i}", workplace=f"wp-{i % 3}") for i in range(5)])
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 5), what="five recruitments applied")
        assert ledger_members((await client.get("/metrics")).text) == 5

        # Three new members and one already held (she leaves): the ledger holds eight.
        later = [b.recruited(f"m-ledger-{i}", workplace="wp-9") for i in range(5, 8)] + [b.left("m-ledger-0", workplace="wp-0")]
        await publish(reporting_settings, later)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 9), what="the later events applied")
        assert ledger_members((await client.get("/metrics")).text) == 8


async def _at_least(value, expected: int) -> bool:
    return await value >= expected
