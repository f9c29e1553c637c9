"""Ids the federations choose may hold slashes (a case numbered 001/PUK-FSPMI/VII/2026): the
detail routes read such a case, plan item and workplace whether the slash is sent as %2F or as it
is, and GET /api/v1/violations/summary still answers its own path."""

from __future__ import annotations

import functools
from urllib.parse import quote

import pytest

from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.organising_builders import plan_added, publish_keyed
from tests.integration.reporting.support import ADMIN, publish, running_service

pytestmark = pytest.mark.integration

CASE = "case-fspmi-001/PUK/VII/2026"
ITEM = "plan-fspmi-2026/07"
WORKPLACE = "wp/bekasi/0042"


async def test_records_with_slashes_in_their_ids_are_read_by_their_detail_routes(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, [b.violation_reported(CASE, on="2026-03-02"), b.workplace_registered(WORKPLACE)])
        await publish_keyed(reporting_settings, [("metal", plan_added(ITEM))])

        async def read(path: str):
            response = await client.get(path, headers=ADMIN)
            return response if response.status_code == 200 else None

        for path, field, expected in [
            (f"/api/v1/violations/{quote(CASE, safe='')}", "case_id", CASE),
            (f"/api/v1/violations/{CASE}", "case_id", CASE),
            (f"/api/v1/plans/{quote(ITEM, safe='')}", "item_id", ITEM),
            (f"/api/v1/plans/{ITEM}", "item_id", ITEM),
            (f"/api/v1/workplaces/FSPMI/{quote(WORKPLACE, safe='')}", "workplace_id", WORKPLACE),
            (f"/api/v1/workplaces/FSPMI/{WORKPLACE}", "workplace_id", WORKPLACE),
        ]:
            found = await eventually(functools.partial(read, path), what=path)
            assert found.json()[field] == expected, path

        assert (await client.get("/api/v1/violations/002%2FPUK%2F2026", headers=ADMIN)).status_code == 404
        summary = await client.get("/api/v1/violations/summary", params={"period": "2026"}, headers=ADMIN)
        assert summary.status_code == 200 and "case_id" not in summary.json()
