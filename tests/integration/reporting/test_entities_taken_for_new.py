"""Units and cases seen only by their founding events are inserted without being read first; one
that was stored already fails the batch's transaction, which is then applied again reading
every entity. Against the real store, with the live projector."""

from __future__ import annotations

import json

import pytest

from organising_shared.mongo import make_mongo_client
from reporting.projection import projector as projector_module
from reporting.projection.apply import apply_batch
from reporting.projection.generations import ensure_current_generation
from reporting.projection.projector import ReportingProjector
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import counters
from tests.records import Record

pytestmark = pytest.mark.integration


class _NoDeadLetters:
    async def publish(self, *args, **kwargs) -> None:
        raise AssertionError("every record here is valid")


class _Offsets:
    """Hands out the next offset of one partition, as a consumer would see them."""

    def __init__(self) -> None:
        self.next = 0

    def records(self, topic: str, *events: dict) -> list[Record]:
        batch = [Record(topic, 0, self.next + i, None, json.dumps(event).encode()) for i, event in enumerate(events)]
        self.next += len(events)
        return batch


@pytest.fixture
async def projector(reporting_settings):
    mongo = make_mongo_client(reporting_settings.mongodb_url)
    database = mongo[reporting_settings.database]
    await ensure_current_generation(database)
    yield ReportingProjector(database=database, topics=reporting_settings.topics, federations=None, dead_letters=_NoDeadLetters())
    await mongo.close()


async def _apply(projector: ReportingProjector, records: list[Record]) -> None:
    await projector.apply(await projector.prepare(records))


def _total(figures: dict[str, dict], field: str) -> int:
    return sum(row.get(field, 0) for doc_id, row in figures.items() if doc_id.startswith("2026|"))


async def test_a_case_report_sent_again_in_a_later_batch_counts_once(projector, reporting_settings, monkeypatch):
    offsets, violations = _Offsets(), reporting_settings.topics.violations
    report = b.violation_reported("c-again")
    await _apply(projector, offsets.records(violations, report))

    attempts = []

    async def noting_attempts(*args, read_first):
        attempts.append(read_first)
        return await apply_batch(*args, read_first=read_first)

    monkeypatch.setattr(projector_module, "apply_batch", noting_attempts)
    await _apply(projector, offsets.records(violations, report))

    assert attempts == [False, True]  # the first took the case for new and failed; the second read it
    assert _total(await counters(reporting_settings), "cases_reported") == 1


async def test_a_unit_founded_again_and_a_report_after_its_case_progressed_count_once(projector, reporting_settings):
    offsets = _Offsets()
    membership, violations = reporting_settings.topics.membership, reporting_settings.topics.violations
    founding = b.unit_established("u-again")
    await _apply(projector, offsets.records(membership, founding))
    await _apply(projector, offsets.records(membership, founding, b.unit_established("u-new")))
    await _apply(projector, offsets.records(violations, b.case_progressed("c-late", "mediation")))
    await _apply(projector, offsets.records(violations, b.violation_reported("c-late")))

    figures = await counters(reporting_settings)
    assert _total(figures, "union_units_established") == 2
    assert _total(figures, "cases_reported") == 1
