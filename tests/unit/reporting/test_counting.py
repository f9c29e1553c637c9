"""docs/contract.md's counting rules as pure functions: order and repetition do not change the figures."""

from __future__ import annotations

import itertools

from reporting.read_model import counting
from reporting.read_model.counting import MemberEntry, add_into, case_contribution, unit_contribution


def recruited(day: str, at: str = "2026-01-01T00:00:00.000000+00:00", **extra):
    return MemberEntry(
        day=day,
        at=at,
        event_id="",
        kind="recruited",
        sector="metal",
        region_code="32.16",
        gender="female",
        employment_status="permanent",
        **extra,
    )


def left(day: str, at: str = "2026-01-01T00:00:00.000000+00:00"):
    return MemberEntry(day=day, at=at, event_id="", kind="left", sector="metal", region_code="32.16")


def member_contribution(federation: str, events: dict[str, MemberEntry]):
    """The member's history given as event_id → entry."""
    return counting.member_contribution(federation, [entry._replace(event_id=event_id) for event_id, entry in events.items()])


def difference(before, after) -> dict:
    """What the projection adds when an entity goes from `before` to `after` (as `apply` does)."""
    changes: dict = {}
    add_into(changes, before, times=-1)
    add_into(changes, after)
    return changes


def total(contribution, doc, field):
    return contribution.get((doc, field), 0)


def test_a_recruitment_counts_in_its_year_semester_and_quarter_with_its_dimensions():
    c = member_contribution("FSPMI", {"e1": recruited("2026-03-14")})
    for period in ("2026", "2026-S1", "2026-Q1"):
        assert total(c, f"{period}|metal|FSPMI", "members_recruited") == 1
    assert total(c, "2026-Q2|metal|FSPMI", "members_recruited") == 0
    assert total(c, "2026-S1|metal|FSPMI", "recruited.gender.female") == 1
    assert total(c, "2026-S1|metal|FSPMI", "recruited.age_band.unspecified") == 1
    assert total(c, "2026-S1|metal|FSPMI", "recruited.province.32") == 1
    assert total(c, "2026-S1|metal|FSPMI", "recruited.regency.32-16") == 1


def test_an_active_member_recruited_again_does_not_count_again():
    c = member_contribution("FSPMI", {"e1": recruited("2026-02-01"), "e2": recruited("2026-03-01")})
    assert total(c, "2026-S1|metal|FSPMI", "members_recruited") == 1


def test_a_member_who_left_counts_again_when_recruited_again():
    events = {"e1": recruited("2026-02-01"), "e2": left("2026-02-10"), "e3": recruited("2026-03-01")}
    c = member_contribution("FSPMI", events)
    assert total(c, "2026-S1|metal|FSPMI", "members_recruited") == 2
    assert total(c, "2026-S1|metal|FSPMI", "members_left") == 1


def test_events_are_ordered_by_their_dates_not_by_arrival():
    events = {"e3": recruited("2026-03-01"), "e2": left("2026-02-10"), "e1": recruited("2026-02-01")}
    for order in itertools.permutations(events):
        assert member_contribution("FSPMI", {key: events[key] for key in order}) == member_contribution("FSPMI", events)


def test_a_departure_of_a_member_recruited_before_the_record_counts_once():
    c = member_contribution("FSPMI", {"e1": left("2026-02-10"), "e2": left("2026-02-11")})
    assert total(c, "2026-S1|metal|FSPMI", "members_left") == 1


def test_an_earlier_recruitment_arriving_late_moves_the_count():
    # The January recruitment now counts and the July one becomes a re-recruitment of an active member.
    late = member_contribution("FSPMI", {"e1": recruited("2026-07-01"), "e0": recruited("2026-01-05")})
    moved = difference(member_contribution("FSPMI", {"e1": recruited("2026-07-01")}), late)
    assert moved[("2026-S2|metal|FSPMI", "members_recruited")] == -1
    assert moved[("2026-S1|metal|FSPMI", "members_recruited")] == 1


def unit(day: str, **extra):
    return {
        "day": day,
        "at": "2026-01-01T00:00:00+00:00",
        "federation": "SPN",
        "sector": "cement",
        "region_code": "35",
        "founding_members": 20,
        "women_on_board": 2,
        **extra,
    }


def test_a_unit_counts_once_by_its_earliest_founding_report():
    c = unit_contribution({"e1": unit("2026-05-02"), "e2": unit("2026-04-01")})
    assert total(c, "2026-Q2|cement|SPN", "union_units_established") == 1
    assert total(c, "2026-Q2|cement|SPN", "founding_members") == 20
    assert total(c, "2026-Q2|cement|SPN", "units.province.35") == 1


REPORT = {
    "day": "2026-02-01",
    "at": "2026-02-01T00:00:00+00:00",
    "federation": "KEP",
    "sector": "chemical",
    "region_code": "36.03",
    "category": "union_busting",
    "workers_affected": 12,
    "women_affected": 3,
}


def close(day: str, outcome: str = "won", recovered: int | None = 1000):
    return {"day": day, "at": "2026-01-01T00:00:00+00:00", "outcome": outcome, "recovered_idr": recovered, "workers_benefited": 10}


def test_an_open_case_counts_by_category_and_stage():
    c = case_contribution({"reports": {"r": REPORT}, "progress": {"p": {"day": "2026-02-05", "at": "x", "stage": "mediation"}}})
    assert total(c, "2026-S1|chemical|KEP", "cases.open.category.union_busting") == 1
    assert total(c, "2026-S1|chemical|KEP", "cases.open.stage.mediation") == 1
    assert total(c, "2026-S1|chemical|KEP", "workers_affected") == 12
    assert total(c, "2026-S1|chemical|KEP", "cases_resolved") == 0


def test_an_open_case_counts_under_the_day_it_was_reported_until_it_is_closed():
    opened = case_contribution({"reports": {"r": REPORT}})
    assert total(opened, "2026-S1|chemical|KEP", "cases.open_by_day.2026-02-01") == 1
    assert total(opened, "2026-Q1|chemical|KEP", "cases.open_by_day.2026-02-01") == 1
    closed = case_contribution({"reports": {"r": REPORT}, "closes": {"c": close("2026-07-03")}})
    assert not any(field.startswith("cases.open_by_day.") for _, field in closed)
    # What the projection adds when the closure arrives: the open day is taken back.
    assert total(difference(opened, closed), "2026-S1|chemical|KEP", "cases.open_by_day.2026-02-01") == -1


def test_a_resolved_case_counts_once_by_its_first_closure():
    c = case_contribution({"reports": {"r": REPORT}, "closes": {"c2": close("2026-08-01"), "c1": close("2026-07-03")}})
    assert total(c, "2026-S2|chemical|KEP", "cases_resolved") == 1
    assert total(c, "2026-Q3|chemical|KEP", "recovered_idr") == 1000
    assert total(c, "2026-S1|chemical|KEP", "cases.closed.category.union_busting") == 1
    assert total(c, "2026-S1|chemical|KEP", "cases.open.category.union_busting") == 0


def test_a_lost_case_is_closed_but_not_resolved():
    c = case_contribution({"reports": {"r": REPORT}, "closes": {"c": close("2026-03-01", outcome="lost", recovered=None)}})
    assert total(c, "2026-S1|chemical|KEP", "cases_closed") == 1
    assert total(c, "2026-S1|chemical|KEP", "cases_resolved") == 0


def test_a_closure_before_its_report_waits_for_the_report():
    assert case_contribution({"closes": {"c": close("2026-03-01")}}) == {}
    c = case_contribution({"closes": {"c": close("2026-03-01")}, "reports": {"r": REPORT}})
    assert total(c, "2026-S1|chemical|KEP", "cases_resolved") == 1
