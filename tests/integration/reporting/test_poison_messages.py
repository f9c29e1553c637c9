"""One bad message never stops the count (issue: "a number too large for the store stops
reporting for good"), on the real broker and store, for the reporting service (notifications: tests/integration/notifications/test_poison_messages.py):

- a number beyond the contract's bounds is refused at HTTP (422, nothing published) and
  dead-lettered on Kafka, and the next valid event is still counted;
- a contract-valid event that the store cannot take (it would push a total beyond 64 bits) is
  dead-lettered as poison while the rest of its batch and the events after it are counted, and
  a rebuild from scratch reaches the same figures.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from organising_shared.events import MAX_RUPIAH
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import as_json, eventually, produce, read_topic
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, counters, publish_many, running_service

pytestmark = pytest.mark.integration

HUGE = 10**20  # beyond the store's 64-bit integers
INT64_MAX = 2**63 - 1


def _dead_letters_metric(scraped: str, *, consumer: str, kind: str) -> float:
    total = 0.0
    for line in scraped.splitlines():
        if line.startswith("organising_dead_letters_total{") and f'consumer="{consumer}"' in line and f'kind="{kind}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def _counted(client, kind: str, *, at_least: float) -> float:
    """The reporting service's dead letters of `kind` so far, once there are `at_least` (else 0)."""
    value = _dead_letters_metric((await client.get("/metrics")).text, consumer="reporting", kind=kind)
    return value if value >= at_least else 0


async def _letters_from(bootstrap: str, topic: str, *, consumer: str, expected: int) -> list[dict]:
    records = await read_topic(bootstrap, topic, expected=expected, timeout=30)
    return [letter for record in records if (letter := json.loads(record.value))["consumer"] == consumer]


async def test_a_huge_target_is_refused_at_http_with_nothing_published(reporting_settings, infrastructure):
    async with running_service(reporting_settings) as client:
        body = {"members_recruited": HUGE, "union_units_established": 1, "cases_resolved": 1}
        response = await client.put("/api/v1/targets/2026-S1/metal", json=body, headers=ADMIN)
        assert response.status_code == 422
        accepted = await client.put("/api/v1/targets/2026-S1/metal", json={**body, "members_recruited": 100}, headers=ADMIN)
        assert accepted.status_code == 200, accepted.text
    records = await read_topic(infrastructure.kafka_bootstrap_servers, reporting_settings.topics.targets, expected=1)
    assert [json.loads(record.value)["data"]["members_recruited"] for record in records] == [100]


async def test_huge_numbers_on_kafka_are_dead_lettered_and_the_next_event_is_still_counted(reporting_settings, infrastructure):
    topics = reporting_settings.topics
    huge_target = b.event(
        "SectorTargetSet",
        {
            "period": "2026-S1",
            "sector": "metal",
            "members_recruited": HUGE,
            "union_units_established": 1,
            "cases_resolved": 1,
            "set_by": "x",
        },
        federation="KSPI",
    )
    async with running_service(reporting_settings) as client:
        before = _dead_letters_metric((await client.get("/metrics")).text, consumer="reporting", kind="invalid")
        await produce(infrastructure.kafka_bootstrap_servers, topics.targets, [(b"metal", as_json(huge_target))])
        await publish_many(
            reporting_settings,
            [b.violation_reported("c-huge"), b.case_closed("c-huge", recovered=HUGE), b.recruited("m-after", on="2026-03-14")],
        )

        async def counted() -> bool:
            figures = await counters(reporting_settings)
            return figures.get("2026-S1|metal|FSPMI", {}).get("members_recruited") == 1

        await eventually(counted, timeout=30, what="the member recruited after the huge numbers counted")
        letters = await _letters_from(infrastructure.kafka_bootstrap_servers, topics.deadletter, consumer="reporting", expected=2)
        # The counter moves just after the broker acknowledged the dead letter: poll for it.
        after = await eventually(lambda: _counted(client, "invalid", at_least=before + 2), timeout=10, what="dead letters counted")
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200
    reasons = sorted(letter["reason"] for letter in letters)
    assert any("data.members_recruited" in reason for reason in reasons), reasons
    assert any("data.recovered_idr" in reason for reason in reasons), reasons
    assert all(str(HUGE) not in reason for reason in reasons)
    assert after - before >= 2
    figures = await counters(reporting_settings)
    assert "recovered_idr" not in figures.get("2026-S1|metal|FSPMI", {})  # the refused close moved nothing


async def test_an_event_that_would_overflow_a_total_is_dead_lettered_as_poison_and_the_rest_is_counted(reporting_settings, infrastructure):
    # Each close is within the bounds (10^15 rupiah), but together they pass the store's 64-bit
    # range: the closes that would push the total over it are poison, the others count.
    fit = INT64_MAX // MAX_RUPIAH  # closes whose money still fits in one total
    cases = fit + 5
    events = [b.violation_reported(f"c{i}", workplace="wp-overflow") for i in range(cases)]
    events += [b.case_closed(f"c{i}", recovered=MAX_RUPIAH, on="2026-05-30") for i in range(cases)]
    after = b.recruited("m-after-overflow", on="2026-03-14")
    async with running_service(reporting_settings) as client:
        await publish_many(reporting_settings, events)
        await publish_many(reporting_settings, [after])

        async def counted() -> dict:
            figures = await counters(reporting_settings)
            row = figures.get("2026-S1|metal|FSPMI", {})
            return row if row.get("members_recruited") == 1 and row.get("cases_closed") == fit else {}

        live_row = await eventually(counted, timeout=120, what="the member after the overflow counted, and every close that fits")
        letters = await _letters_from(
            infrastructure.kafka_bootstrap_servers, reporting_settings.topics.deadletter, consumer="reporting", expected=5
        )
        poison_counted = await eventually(lambda: _counted(client, "poison", at_least=5), timeout=10, what="poison dead letters counted")
        assert (await client.get("/healthz")).status_code == 200
        live = await counters(reporting_settings)
    assert live_row["recovered_idr"] == fit * MAX_RUPIAH
    assert len(letters) == 5
    assert all(re.search(r"64-bit integer range", letter["reason"]) for letter in letters)
    assert {json.loads(base64.b64decode(letter["original_value_base64"]))["event_type"] for letter in letters} == {"ViolationCaseClosed"}
    assert poison_counted >= 5
    rebuilt = await rebuild(reporting_settings)
    assert await counters(reporting_settings, rebuilt.generation) == live
