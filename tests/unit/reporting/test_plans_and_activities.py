"""The plan item and activity rules as pure functions: status folding, overdue in Jakarta, sums and small cells."""

from __future__ import annotations

from datetime import UTC, datetime

from organising_shared.periods import Period, jakarta_today
from reporting.read_model import activities as A
from reporting.read_model import plans as P


def document(*events: tuple[str, dict]) -> dict:
    """A stored item: `events` in arrival order (bucket, entry)."""
    doc: dict = {"_id": "plan-fspmi-1"}
    for seq, (bucket, entry) in enumerate(events, start=1):
        doc.setdefault(bucket, {})[f"e{seq}"] = {**entry, "seq": seq}
    return doc | P.derive(doc)


ADDED = {
    "period": "2026-S1",
    "sector": "metal",
    "federation": "FSPMI",
    "kind": "training",
    "title": "t",
    "responsible": "r",
    "due_on": "2026-05-31",
    "planned_count": None,
    "programme": None,
}


def progress(status: str, on: str) -> tuple[str, dict]:
    return ("progress", {"status": status, "changed_on": on, "note": None})


def test_status_is_the_latest_progress_by_date_then_arrival_whatever_arrives_first():
    late_item = document(progress("done", "2026-04-01"), progress("in_progress", "2026-03-01"), ("added", ADDED))
    assert late_item["state"]["status"] == "done" and late_item["state"]["status_changed_on"] == "2026-04-01"
    same_day = document(("added", ADDED), progress("postponed", "2026-04-01"), progress("in_progress", "2026-04-01"))
    assert same_day["state"]["status"] == "in_progress"
    assert document(progress("done", "2026-04-01"))["state"] is None  # waits for its item
    assert document(("added", ADDED))["state"]["status"] == "planned"
    second_report = document(("added", ADDED), ("added", {**ADDED, "due_on": "2026-12-31"}))
    assert second_report["state"]["due_on"] == "2026-05-31"


def test_overdue_starts_on_the_jakarta_day_after_the_due_date():
    state = document(("added", ADDED))["state"]
    # 2026-05-31 16:59 UTC is 23:59 in Jakarta, still the due date; a minute later it is 1 June there.
    assert not P.is_overdue(state, jakarta_today(datetime(2026, 5, 31, 16, 59, tzinfo=UTC)))
    assert P.is_overdue(state, jakarta_today(datetime(2026, 5, 31, 17, 0, tzinfo=UTC)))
    for settled in ("done", "dropped"):
        assert not P.is_overdue({**state, "status": settled}, jakarta_today(datetime(2026, 7, 1, tzinfo=UTC)))
    assert P.is_overdue({**state, "status": "postponed"}, jakarta_today(datetime(2026, 7, 1, tzinfo=UTC)))


def test_a_period_shows_its_own_items_and_those_due_in_it():
    year_item = document(("added", {**ADDED, "period": "2026", "due_on": "2026-05-01"}))
    later_item = document(("added", {**ADDED, "period": "2026", "due_on": "2026-09-01"}))
    assert P.in_period(year_item["state"], Period.parse("2026-S1"))
    assert not P.in_period(later_item["state"], Period.parse("2026-S1"))
    assert P.in_period(later_item["state"], Period.parse("2026"))


def activity(female: int, male: int, unspecified: int = 0, days: int = 1, cadres: int | None = None) -> dict:
    return {
        "federation": "FSPMI",
        "kind": "training",
        "sector": None,
        "days": days,
        "participants": {"female": female, "male": male, "unspecified": unspecified},
        "cadres_trained": cadres,
    }


def test_activity_sums_person_days_and_womens_share_and_hide_small_cells():
    totals = A.totals_of([activity(10, 5, days=2, cadres=3), activity(2, 8)])
    assert totals.view(suppress=False) == {
        "activities": 2,
        "person_days": 30 + 10,
        "participants": {"female": 12, "male": 13, "unspecified": 0, "total": 25},
        "women_share": 0.48,
        "cadres_trained": 3,
    }
    hidden = totals.view(suppress=True)
    assert hidden["cadres_trained"] is None and hidden["participants"]["female"] == 12
    few = A.totals_of([activity(2, 1, days=3)]).view(suppress=True)
    # Three people: every people cell, the share and the person-days (which would give the total away) hidden.
    assert few == {
        "activities": 1,
        "person_days": None,
        "participants": {"female": None, "male": None, "unspecified": 0, "total": None},
        "women_share": None,
        "cadres_trained": 0,
    }
    assert A.totals_of([]).view(suppress=False)["women_share"] is None
