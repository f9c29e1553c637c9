"""A group's outbox rows: the writes of one federation that share a transaction share one row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recruitment.outbox import merged_by_federation

_AT = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)


def _row(federation: str, event_ids: list[str], *, traceparent: str | None, minutes: int) -> dict:
    row = {
        "federation": federation,
        "events": [{"event_id": event_id, "event_type": "MemberRecruited", "key": "wp-1", "value": "{}"} for event_id in event_ids],
        "at": _AT + timedelta(minutes=minutes),
    }
    if traceparent:
        row["traceparent"] = traceparent
    return row


def test_consecutive_rows_of_one_federation_become_one_row_keeping_order_and_each_events_trace():
    rows = [
        _row("FSPMI", ["a"], traceparent="00-aa-01", minutes=0),
        _row("FSPMI", ["b", "c"], traceparent=None, minutes=1),
        _row("SPN", ["d"], traceparent="00-dd-01", minutes=2),
        _row("FSPMI", ["e"], traceparent="00-ee-01", minutes=3),
    ]
    merged = merged_by_federation(rows)
    assert [row["federation"] for row in merged] == ["FSPMI", "SPN", "FSPMI"], "order across federations is kept"
    assert [[entry["event_id"] for entry in row["events"]] for row in merged] == [["a", "b", "c"], ["d"], ["e"]]
    assert [entry.get("traceparent") for entry in merged[0]["events"]] == ["00-aa-01", None, None]
    assert merged[1]["events"][0]["traceparent"] == "00-dd-01"
    assert [row["at"] for row in merged] == [_AT, _AT + timedelta(minutes=2), _AT + timedelta(minutes=3)], "the oldest write's time"
    assert all("traceparent" not in row for row in merged)


def test_rows_given_are_not_changed():
    rows = [_row("FSPMI", ["a"], traceparent="00-aa-01", minutes=0), _row("FSPMI", ["b"], traceparent="00-bb-01", minutes=1)]
    merged_by_federation(rows)
    assert "traceparent" not in rows[0]["events"][0] and rows[0]["traceparent"] == "00-aa-01"
