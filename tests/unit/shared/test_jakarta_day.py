"""Today's Jakarta date is remembered until the next Jakarta midnight, not longer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from organising_shared import periods


def test_the_remembered_day_turns_at_jakarta_midnight(monkeypatch):
    now = datetime(2026, 11, 28, 16, 59, 59, tzinfo=UTC).timestamp()  # 23:59:59 in Jakarta
    monkeypatch.setattr(periods.time, "time", lambda: now)
    day = periods._JakartaDay()
    assert day.get() == date(2026, 11, 28)
    now += 1  # 00:00:00 in Jakarta, 17:00 UTC
    assert day.get() == date(2026, 11, 29)
    assert day.get() == periods.jakarta_today(datetime.fromtimestamp(now, UTC))
