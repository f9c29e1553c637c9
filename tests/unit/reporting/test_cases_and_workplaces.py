"""The pure parts of the case and workplace projections: folds, deadlines, density, the ledger's
escaping of workplace ids."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from reporting.read_model import cases, counting, workplaces
from reporting.read_model.density import expires_within_window, workplaces_report
from reporting.read_model.ledger import decode, encode, escape, unescape


def _case(*, reported_on: str, progress: list[tuple[str, str]] = (), closed_on: str | None = None) -> dict:
    document = {
        "_id": "c1",
        "reports": {
            "e-report": {
                "day": reported_on,
                "at": "2026-01-01T00:00:00+00:00",
                "federation": "FSPMI",
                "sector": "metal",
                "workplace_id": "wp-1",
                "region_code": "32.16",
                "category": "overtime",
                "workers_affected": 10,
                "women_affected": 3,
                "seq": 1,
            }
        },
        "progress": {
            f"e-{index}": {"day": day, "at": "2026-01-01T00:00:00+00:00", "stage": stage, "seq": index + 2}
            for index, (stage, day) in enumerate(progress)
        },
    }
    if closed_on:
        document["closes"] = {
            "e-close": {
                "day": closed_on,
                "at": "2026-01-01T00:00:00+00:00",
                "outcome": "settled",
                "recovered_idr": 7,
                "workers_benefited": 4,
            }
        }
    return document | cases.derive(document)


@pytest.mark.parametrize(
    ("stage", "entered_on", "deadline", "why"),
    [
        ("mediation", "2026-08-14", "2026-09-29", "Friday before Independence Day (Mon 17 Aug) and the Prophet's Birthday (Tue 25 Aug)"),
        ("bipartite", "2026-03-18", "2026-05-04", "Nyepi, Idul Fitri on a weekend, Good Friday, Labour Day"),
        ("bipartite", "2026-08-15", "2026-09-29", "entered on a Saturday: the day itself never counts"),
        (
            "industrial_court",
            "2026-12-24",
            "2027-03-12",
            "Christmas, New Year, Isra Mi'raj, Nyepi, Idul Fitri 2027 (the package's estimate)",
        ),
        ("labour_inspection", "2026-08-14", None, "no statutory limit"),
    ],
)
def test_the_current_stage_deadline_around_weekends_and_public_holidays(stage, entered_on, deadline, why):
    progress = [] if stage == "bipartite" and entered_on == "2026-03-18" else [(stage, entered_on)]
    view = _case(reported_on="2026-03-18" if not progress else "2026-03-02", progress=progress)["view"]
    assert (view["stage"], view["stage_entered_on"], view["deadline"]) == (stage, entered_on, deadline), why


def test_working_days_left_and_overdue_on_the_days_around_a_deadline():
    view = _case(reported_on="2026-03-02", progress=[("mediation", "2026-08-14")])["view"]  # deadline Tue 29 Sep
    rows = {day: cases.case_item("c1", view, date.fromisoformat(day)) for day in ("2026-09-25", "2026-09-28", "2026-09-29", "2026-09-30")}
    assert [(row["working_days_left"], row["overdue"]) for row in rows.values()] == [(2, False), (1, False), (0, False), (-1, True)]
    # A deadline on a Friday: the weekend after it is past the deadline, with no working day gone yet.
    friday = _case(reported_on="2026-03-02", progress=[("mediation", "2026-07-29")])["view"]
    assert friday["deadline"] == "2026-09-11"
    saturday = cases.case_item("c1", friday, date(2026, 9, 12))
    assert (saturday["working_days_left"], saturday["overdue"]) == (0, True)
    closed = _case(reported_on="2026-03-02", progress=[("mediation", "2026-07-31")], closed_on="2026-08-20")["view"]
    assert cases.case_item("c1", closed, date(2026, 11, 1))["overdue"] is False
    assert cases.case_item("c1", closed, date(2026, 11, 1))["working_days_left"] is None


def test_stage_by_changed_on_then_arrival_and_the_timeline():
    document = _case(
        reported_on="2026-06-20",
        progress=[("conciliation", "2026-07-10"), ("mediation", "2026-07-01"), ("arbitration", "2026-07-10")],
        closed_on="2026-07-24",
    )
    assert (document["view"]["stage"], document["view"]["state"]) == ("arbitration", "closed")
    timeline = cases.timeline(document, date(2026, 11, 1))
    assert [(row["stage"], row["entered_on"], row["left_on"], row["working_days_used"]) for row in timeline] == [
        ("bipartite", "2026-06-20", "2026-07-01", 8),
        ("mediation", "2026-07-01", "2026-07-10", 7),
        ("conciliation", "2026-07-10", "2026-07-10", 0),
        ("arbitration", "2026-07-10", "2026-07-24", 10),
    ]
    # A progress to bipartite says when the case entered it.
    back = _case(reported_on="2026-06-20", progress=[("bipartite", "2026-06-25")])
    assert [(row["stage"], row["entered_on"]) for row in cases.timeline(back, date(2026, 7, 1))] == [("bipartite", "2026-06-25")]
    assert back["view"]["stage_entered_on"] == "2026-06-25"


def test_a_case_without_its_report_has_no_view():
    assert cases.derive({"_id": "c1", "progress": {"e": {"day": "2026-07-01", "at": "x", "stage": "mediation", "seq": 1}}}) == {
        "view": None
    }


def test_cursor_round_trip_and_refusal():
    key = ("2026-09-29", "case|with;odd ids")
    assert cases.decode_cursor(cases.encode_cursor(key)) == key
    for bad in ("not-a-cursor", "WyJ4Il0", ""):  # the second is ["x"]: one part, not two
        with pytest.raises(ValueError):
            cases.decode_cursor(bad)


def test_workplace_state_folds_updates_by_changed_on_then_arrival():
    document = {
        "_id": "FSPMI|wp|1",
        "updates": {
            "u1": {"changed_on": "2026-06-01", "workforce": 200, "seq": 1},
            "u2": {"changed_on": "2026-05-01", "workforce": 150, "women_percent": 40, "seq": 2},
            "u3": {"changed_on": "2026-06-01", "cba": "in_force", "seq": 3},
        },
    }
    assert workplaces.derive(document) == {"federation": "FSPMI", "workplace_id": "wp|1", "state": None}
    document["registered"] = {
        "r1": {"sector": "metal", "region_code": "32.16", "employer": "PT A", "workforce": 100, "cba": "none", "seq": 4},
    }
    state = workplaces.derive(document)["state"]
    assert (state["workforce"], state["women_percent"], state["cba"], state["changed_on"]) == (200, 40, "in_force", "2026-06-01")
    assert [entry["changed_on"] for entry in workplaces.history(document)] == ["2026-05-01", "2026-06-01", "2026-06-01"]


def test_a_member_is_active_at_the_workplace_of_the_latest_event_while_not_left():
    def entry(day: str, kind: str, workplace: str) -> counting.MemberEntry:
        return counting.MemberEntry(day, "t", day + kind, kind, "metal", "32.16", workplace_id=workplace)

    assert counting.active_workplace([entry("2026-01-01", "recruited", "a"), entry("2026-02-01", "recruited", "b")]) == "b"
    assert counting.active_workplace([entry("2026-03-01", "left", "b"), entry("2026-02-01", "recruited", "b")]) is None
    assert counting.active_workplace([entry("2026-01-01", "left", "a"), entry("2026-02-01", "recruited", "a")]) == "a"
    assert counting.active_workplace([]) is None


def test_workplace_ids_with_the_ledgers_separators_survive_the_ledger():
    for raw in ("wp-1", "wp|1", "wp;1", "50%", "PT A; B|C %"):
        assert unescape(escape(raw)) == raw
        entry = counting.MemberEntry("2026-01-01", "t", "e", "recruited", "metal", "32.16", "female", "permanent", "", escape(raw))
        [back] = decode(encode([entry]))
        assert unescape(back.workplace_id) == raw
    assert escape("wp-1") == "wp-1"
    # A segment written before workplaces were kept decodes with no workplace.
    assert decode("2026-01-01|t|e|recruited|metal|32.16|female|permanent|")[0].workplace_id == ""


def test_density_aggregates_suppress_small_cells_and_pkb_expiry_window():
    today = date(2026, 11, 28)
    assert expires_within_window({"cba": "in_force", "cba_expires_on": "2027-02-26"}, today)  # today + 90
    assert not expires_within_window({"cba": "in_force", "cba_expires_on": "2027-02-27"}, today)
    assert not expires_within_window({"cba": "in_force", "cba_expires_on": "2026-11-27"}, today)  # expired
    assert not expires_within_window({"cba": "negotiating", "cba_expires_on": "2026-12-01"}, today)

    def doc(federation: str, workplace_id: str, workforce: int) -> dict:
        state = {"sector": "metal", "region_code": "32", "employer": "PT", "workforce": workforce, "cba": "none"}
        return {"federation": federation, "workplace_id": workplace_id, "state": state}

    active = Counter({("FSPMI", "a"): 3, ("SPN", "b"): 40})
    report = workplaces_report(
        [doc("FSPMI", "a", 100), doc("SPN", "b", 400)],
        active,
        today,
        readable=lambda f: f == "FSPMI",
        list_workplaces=True,
        suppress_small=True,
    )
    assert [row["workplace_id"] for row in report["workplaces"]] == ["a"]
    assert report["workplaces"][0]["active_members"] == 3  # its own record: not suppressed
    assert report["density"]["by_federation"][0] == {
        "federation": "FSPMI",
        "workplaces": 1,
        "active_members": None,
        "workforce": 100,
        "density": None,
    }
    assert report["density"]["overall"] == {"workplaces": 2, "active_members": 43, "workforce": 500, "density": 0.086}
