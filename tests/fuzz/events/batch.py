"""The batch of records the consumer test publishes, the same every run.

- Generated: hypothesis as a seeded generator (one `@given` over a list of hundreds of records
  would overrun its per-example data budget, so a derandomised run collects one per example).
- Made unique: the contract makes `event_id` unique per event, and a consumer rightly keeps the
  first of two different events sharing one; hypothesis draws the same few UUIDs again and
  again, so a repeated id on a different event gets a fresh one.
- Redelivered: some valid records are published twice, byte for byte: that must change nothing.
- Edges: every whole-number field of every event type at 10**20 and 2**63, on a valid event, so
  that the numbers no report could hold are tried every run, not when the dice allow.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from organising_shared.events import EVENT_CLASSES
from tests.fuzz.budget import SLOW_FIXTURES
from tests.fuzz.events.mutations import Record, as_record_on_its_topic, records
from tests.fuzz.events.valid import valid_event, whole_number_fields

REDELIVER_EVERY = 10
EDGE_NUMBERS = (10**20, 2**63)


def batch(count: int) -> list[Record]:
    generated = _unique_event_ids(_collect(records(), count))
    redelivered = [record for record in generated if record.mutation == "valid"][::REDELIVER_EVERY]
    return generated + _edges() + redelivered


def _collect(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    collected: list[Any] = []

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=SLOW_FIXTURES
    )
    @given(strategy)
    def collect(item: Any) -> None:
        collected.append(item)

    collect()
    return collected


def _unique_event_ids(generated: list[Record]) -> list[Record]:
    seen: set[str] = set()
    unique = []
    for record in generated:
        document = record.document
        if isinstance(document, dict) and isinstance(document.get("event_id"), str):
            if document["event_id"] in seen:
                document = {**document, "event_id": _fresh_id(seen)}
                record = dataclasses.replace(record, document=document, value=json.dumps(document, ensure_ascii=False).encode())
            seen.add(document["event_id"])
        unique.append(record)
    return unique


def _fresh_id(seen: set[str]) -> str:
    number = len(seen) + 1
    while str(uuid.UUID(int=number)) in seen:
        number += 1
    return str(uuid.UUID(int=number))


def _edges() -> list[Record]:
    edges = []
    for cls in EVENT_CLASSES:
        [event] = _collect(valid_event(cls), 1)
        for field in whole_number_fields(cls):
            for number in EDGE_NUMBERS:
                document = {**event, "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"fuzz-edge/{cls.__name__}/{field}/{number}"))}
                document["data"] = {**event["data"], field: number}
                edges.append(dataclasses.replace(as_record_on_its_topic(document), mutation=f"{cls.__name__}.{field} = {number}"))
    return edges
