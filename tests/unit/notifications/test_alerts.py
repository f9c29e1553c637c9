"""The time-based alerts' thresholds around weekends and Indonesian public holidays, and the
folding of each thing's history (out of order, repeated): pure functions, given a `today`.

The 2026 calendar used (from the `holidays` package): Thursday 19 March is Nyepi, Saturday 21 and
Sunday 22 March are Idul Fitri (Friday 20 March is cuti bersama, which counts as a working day),
Friday 3 April is Good Friday.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from notifications.alerts.state import ALERT_EVENT_TYPES, CASES, PLAN_ITEMS, WORKPLACES, change_for, fold_into
from notifications.domain import alerts
from notifications.domain.folds import case_now, plan_item_now, workplace_now
from notifications.domain.matching import matches
from notifications.domain.notices import NoticeType
from organising_shared.deadlines import is_working_day, working_days_until
from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import Event
from tests.unit.notifications import events

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def event(raw: dict[str, Any]) -> Event:
    decoded = decode_event(json.dumps(raw).encode(), federations=None)
    assert not isinstance(decoded, Rejection), decoded
    return decoded


def folded(*raws: dict[str, Any]) -> dict[str, Any]:
    """The document the state module keeps after these events, in this arrival order."""
    row: dict[str, Any] | None = None
    for raw in raws:
        decoded = event(raw)
        change = change_for(decoded)
        assert change is not None
        row = fold_into(row, change, str(decoded.event_id)) or row
    assert row is not None
    return row


# Case deadlines -------------------------------------------------------------------------------


def reported_case(reported_on: str = "2026-02-05") -> tuple[dict[str, Any], dict[str, Any]]:
    report = events.violation_reported(category="overtime", reported_on=reported_on)
    return report, folded(report)


def test_the_calendar_these_tests_rely_on():
    # If the holidays package ever changes its 2026 calendar, these tests must be looked at again.
    assert not is_working_day(date(2026, 3, 19)) and is_working_day(date(2026, 3, 20))
    assert not is_working_day(date(2026, 4, 3))


def test_a_bipartite_deadline_after_nyepi_and_idul_fitri():
    _, row = reported_case("2026-02-05")
    case = case_now(row)
    assert case is not None
    # 30 working days after Thursday 5 February: Lunar New Year (17 Feb) and Nyepi (19 Mar) do not
    # count, so the deadline is Monday 23 March.
    assert (case.stage.value, case.entered_on, case.deadline) == ("bipartite", date(2026, 2, 5), date(2026, 3, 23))

    # Thursday 12 March: 13, 16, 17, 18, 20, 23 March are six working days left.
    assert alerts.case_alert(case, date(2026, 3, 12)) is None
    # Friday 13 March: five left (Nyepi on the 19th does not count): near.
    near = alerts.case_alert(case, date(2026, 3, 13))
    assert near is not None and near.rule is NoticeType.CASE_DEADLINE_NEAR
    assert near.key == f"case-deadline-near|FSPMI|{case.case_id}|bipartite|2026-02-05"
    # Saturday 14 March and the deadline day itself: still near, the same alert.
    assert alerts.case_alert(case, date(2026, 3, 14)) == near
    assert alerts.case_alert(case, date(2026, 3, 23)) == near
    # The day after: passed.
    passed = alerts.case_alert(case, date(2026, 3, 24))
    assert passed is not None and passed.rule is NoticeType.CASE_DEADLINE_PASSED
    assert passed.key == f"case-deadline-passed|FSPMI|{case.case_id}|bipartite|2026-02-05"
    assert passed.notice_id != near.notice_id


def test_a_deadline_passed_on_a_friday_has_passed_on_the_weekend():
    # Mediation entered Wednesday 4 March: 30 working days (Nyepi and Good Friday excluded) end on
    # Friday 17 April.
    report, _ = reported_case("2026-02-05")
    row = folded(report, events.case_moved(report["data"]["case_id"], stage="mediation", changed_on="2026-03-04"))
    case = case_now(row)
    assert case is not None and case.deadline == date(2026, 4, 17)
    on_the_day = alerts.case_alert(case, date(2026, 4, 17))
    assert on_the_day is not None and on_the_day.rule is NoticeType.CASE_DEADLINE_NEAR
    # Saturday: no working day has passed since, but the deadline has.
    assert working_days_until(date(2026, 4, 18), case.deadline) == 0
    alert = alerts.case_alert(case, date(2026, 4, 18))
    assert alert is not None and alert.rule is NoticeType.CASE_DEADLINE_PASSED
    assert alert.key.endswith("|mediation|2026-03-04")


def test_a_new_stage_rearms_and_stages_without_a_limit_raise_nothing():
    report, _ = reported_case("2026-02-05")
    case_id = report["data"]["case_id"]
    row = folded(report, events.case_moved(case_id, stage="mediation", changed_on="2026-03-20"))
    case = case_now(row)
    assert case is not None and (case.stage.value, case.entered_on) == ("mediation", date(2026, 3, 20))
    # The bipartite deadline (23 March) no longer matters: the mediation one is far away.
    assert alerts.case_alert(case, date(2026, 3, 24)) is None
    inspected = case_now(folded(report, events.case_moved(case_id, stage="labour_inspection", changed_on="2026-03-20")))
    assert inspected is not None and inspected.deadline is None
    assert alerts.case_alert(inspected, date(2027, 1, 1)) is None


def test_a_closed_case_raises_nothing():
    report, _ = reported_case("2026-02-05")
    row = folded(report, events.case_closed(report["data"]["case_id"]))
    case = case_now(row)
    assert case is not None and not case.open
    assert alerts.case_alert(case, date(2026, 3, 24)) is None
    assert row["open"] is False


def test_the_current_stage_is_the_latest_by_changed_on_then_arrival():
    report, _ = reported_case("2026-02-05")
    case_id = report["data"]["case_id"]
    later = events.case_moved(case_id, stage="conciliation", changed_on="2026-04-01")
    earlier = events.case_moved(case_id, stage="mediation", changed_on="2026-03-02")
    # The later stage change arrives first; the earlier one does not override it.
    case = case_now(folded(report, later, earlier))
    assert case is not None and (case.stage.value, case.entered_on) == ("conciliation", date(2026, 4, 1))
    # Two changes on one day: the one that arrived last wins.
    same_day = events.case_moved(case_id, stage="arbitration", changed_on="2026-04-01")
    case = case_now(folded(report, later, same_day))
    assert case is not None and case.stage.value == "arbitration"


def test_a_progress_to_bipartite_says_when_the_case_entered_it():
    report, _ = reported_case("2026-02-05")
    case = case_now(folded(report, events.case_moved(report["data"]["case_id"], stage="bipartite", changed_on="2026-02-10")))
    assert case is not None and case.entered_on == date(2026, 2, 10)
    # A progress that arrives before the report applies once it is there.
    progress_first = case_now(folded(events.case_moved(report["data"]["case_id"], stage="mediation", changed_on="2026-03-02"), report))
    assert progress_first is not None and progress_first.stage.value == "mediation" and progress_first.sector == "cement"


# Plan items ------------------------------------------------------------------------------------


def test_a_plan_item_due_on_good_friday_is_overdue_from_saturday():
    added = events.plan_item_added(due_on="2026-04-03")
    item = plan_item_now(folded(added))
    assert item is not None
    assert alerts.plan_item_alert(item, date(2026, 4, 3)) is None  # due today: not yet late
    alert = alerts.plan_item_alert(item, date(2026, 4, 4))
    assert alert is not None and alert.key == f"plan-overdue|{item.item_id}|2026-04-03"


@pytest.mark.parametrize(
    ("status", "overdue"), [("planned", True), ("in_progress", True), ("postponed", True), ("done", False), ("dropped", False)]
)
def test_only_done_and_dropped_items_are_never_overdue(status, overdue):
    added = events.plan_item_added(due_on="2026-04-03")
    row = folded(added, events.plan_item_progressed(added["data"]["item_id"], status=status, changed_on="2026-04-01"))
    item = plan_item_now(row)
    assert item is not None
    assert (alerts.plan_item_alert(item, date(2026, 4, 10)) is not None) is overdue
    assert row["open"] is overdue


def test_plan_status_folds_by_changed_on_and_a_progress_may_come_first():
    added = events.plan_item_added(due_on="2026-04-03")
    item_id = added["data"]["item_id"]
    done = events.plan_item_progressed(item_id, status="done", changed_on="2026-04-02")
    stale = events.plan_item_progressed(item_id, status="in_progress", changed_on="2026-03-01")
    # The progress arrives before its item, and an older status arrives after the newer one.
    row = folded(done, added, stale)
    item = plan_item_now(row)
    assert item is not None and item.status.value == "done"
    assert alerts.plan_item_alert(item, date(2026, 4, 10)) is None
    # Reopened later: overdue again, under the same key (one alert per item and due date).
    reopened = plan_item_now(
        folded(done, added, stale, events.plan_item_progressed(item_id, status="in_progress", changed_on="2026-04-05"))
    )
    assert reopened is not None
    assert alerts.plan_item_alert(reopened, date(2026, 4, 10)) == alerts.plan_item_alert(plan_item_now(folded(added)), date(2026, 4, 10))  # type: ignore[arg-type]


def test_a_second_report_of_an_item_changes_nothing_as_in_reporting():
    added = events.plan_item_added(due_on="2026-04-03")
    again = events.plan_item_added(due_on="2026-05-29", item_id=added["data"]["item_id"])
    item = plan_item_now(folded(added, again))
    assert item is not None and item.due_on == date(2026, 4, 3)
    alert = alerts.plan_item_alert(item, date(2026, 4, 10))
    assert alert is not None and alert.key.endswith("|2026-04-03")


def test_the_same_event_twice_changes_nothing():
    added = events.plan_item_added(due_on="2026-04-03")
    decoded = event(added)
    change = change_for(decoded)
    assert change is not None and change.collection == PLAN_ITEMS
    row = fold_into(None, change, str(decoded.event_id))
    assert row is not None
    assert fold_into(row, change, str(decoded.event_id)) is None
    assert row["arrivals"] == 1


def test_a_progress_note_is_never_kept():
    added = events.plan_item_added(due_on="2026-04-03")
    row = folded(
        added,
        events.plan_item_progressed(added["data"]["item_id"], status="in_progress", changed_on="2026-04-01", note="Rapat di kantor DPW"),
    )
    assert "Rapat" not in json.dumps(row, default=str)


# Collective agreements (PKB) ------------------------------------------------------------------


def test_a_cba_alerts_from_90_days_before_it_expires():
    registered = events.workplace_registered(cba_expires_on="2026-07-01")
    workplace = workplace_now(folded(registered))
    assert alerts.workplace_alert(workplace, date(2026, 4, 1)) is None  # 91 days before
    alert = alerts.workplace_alert(workplace, date(2026, 4, 2))  # 90 days before
    assert alert is not None and alert.key == f"cba-expiring|FSPMI|{workplace.workplace_id}|2026-07-01"
    assert alerts.workplace_alert(workplace, date(2026, 7, 2)) == alert  # lapsed while still in force: the same alert


def test_cba_updates_fold_by_changed_on_and_a_new_expiry_rearms():
    registered = events.workplace_registered(cba_expires_on="2026-07-01")
    workplace_id = registered["data"]["workplace_id"]
    renewed = events.workplace_updated(workplace_id, changed_on="2026-05-02", cba_expires_on="2028-06-30")
    older = events.workplace_updated(workplace_id, changed_on="2026-05-01", cba_expires_on="2026-09-30", employer="PT Contoh Baru")
    workplace = workplace_now(folded(registered, renewed, older))
    # The older update arrived last but does not override the expiry; its employer still applies.
    assert workplace.cba_expires_on == date(2028, 6, 30) and workplace.employer == "PT Contoh Baru"
    assert alerts.workplace_alert(workplace, date(2026, 6, 1)) is None
    assert alerts.workplace_alert(workplace, date(2028, 4, 1)) is not None
    lapsed = workplace_now(folded(registered, events.workplace_updated(workplace_id, changed_on="2026-05-02", cba="negotiating")))
    assert alerts.workplace_alert(lapsed, date(2026, 6, 1)) is None


def test_a_workplace_without_a_cba_in_force_raises_nothing():
    for cba in ("none", "negotiating"):
        workplace = workplace_now(folded(events.workplace_registered(cba=cba, cba_expires_on="2026-07-01")))
        assert alerts.workplace_alert(workplace, date(2026, 6, 1)) is None
    no_date = workplace_now(folded(events.workplace_registered(cba_expires_on=None)))
    assert alerts.workplace_alert(no_date, date(2026, 6, 1)) is None


# Notices: languages, facts, no personal data --------------------------------------------------


def test_plan_notice_texts_bahasa_first_and_without_free_text_that_looks_personal():
    item = plan_item_now(folded(events.plan_item_added(due_on="2026-04-03")))
    assert item is not None
    # The events refuse such a title already; an alert leaves it out all the same (one stored
    # before the screening existed, say).
    item = replace(item, title="Rekrutmen kawasan MM2100, kontak 081234567890")
    alert = alerts.plan_item_alert(item, date(2026, 4, 6))
    assert alert is not None
    notice = alerts.plan_item_notice(alert, item, today=date(2026, 4, 6), now=NOW)
    assert notice.notice_id == alert.notice_id and notice.notice_type is NoticeType.PLAN_ITEM_OVERDUE
    assert "terlambat 3 hari" in notice.message.id and "3 days late" in notice.message.en
    assert "081234567890" not in notice.model_dump_json() and "MM2100" not in notice.model_dump_json()
    assert "DPW FSPMI Jawa Barat" in notice.message.id  # an office is named
    assert notice.facts == {
        "alert_key": alert.key,
        "item_id": item.item_id,
        "period": "2026",
        "kind": "recruitment_drive",
        "status": "planned",
        "due_on": "2026-04-03",
        "days_late": 3,
    }


def test_case_notices_say_how_many_working_days_are_left():
    report, row = reported_case("2026-02-05")
    case = case_now(row)
    assert case is not None
    near = alerts.case_alert(case, date(2026, 3, 13))
    assert near is not None
    notice = alerts.case_notice(near, case, today=date(2026, 3, 13), now=NOW)
    assert notice.title.id == f"Batas waktu bipartit kasus {case.case_id} tinggal 5 hari kerja"
    assert notice.facts["working_days_left"] == 5 and notice.facts["deadline"] == "2026-03-23"
    assert (notice.sector, notice.category, notice.federation) == ("cement", "overtime", "FSPMI")
    assert report["data"]["summary"] not in notice.model_dump_json()
    passed = alerts.case_alert(case, date(2026, 3, 25))
    assert passed is not None
    late = alerts.case_notice(passed, case, today=date(2026, 3, 25), now=NOW)
    assert "terlampaui" in late.title.id and "passed" in late.title.en


def test_cba_notice_names_the_company_and_the_days_left():
    workplace = workplace_now(folded(events.workplace_registered(cba_expires_on="2026-07-01")))
    alert = alerts.workplace_alert(workplace, date(2026, 6, 1))
    assert alert is not None
    notice = alerts.workplace_notice(alert, workplace, today=date(2026, 6, 1), now=NOW)
    assert notice.title.id == f"PKB di {workplace.workplace_id} berakhir dalam 30 hari"
    assert "PT Contoh Komponen Indonesia" in notice.message.id and notice.facts["days_left"] == 30


def test_a_confederation_wide_item_reaches_every_federation():
    added = events.plan_item_added(due_on="2026-04-03", federation=None)
    item = plan_item_now(folded(added))
    assert item is not None and item.federation is None
    alert = alerts.plan_item_alert(item, date(2026, 4, 6))
    assert alert is not None
    notice = alerts.plan_item_notice(alert, item, today=date(2026, 4, 6), now=NOW)
    assert "seluruh konfederasi" in notice.message.id
    assert matches({"owner": "SPN", "filters": {}}, notice)
    fspmi_item = plan_item_now(folded(events.plan_item_added(due_on="2026-04-03")))
    assert fspmi_item is not None
    fspmi_alert = alerts.plan_item_alert(fspmi_item, date(2026, 4, 6))
    assert fspmi_alert is not None
    fspmi_notice = alerts.plan_item_notice(fspmi_alert, fspmi_item, today=date(2026, 4, 6), now=NOW)
    assert not matches({"owner": "SPN", "filters": {}}, fspmi_notice)
    assert matches({"owner": "FSPMI", "filters": {"event_types": ["PlanItemOverdue"], "sectors": ["metal"]}}, fspmi_notice)


def test_the_state_module_covers_exactly_the_events_that_move_a_threshold():
    kinds = {
        events.plan_item_added(due_on="2026-04-03")["event_type"]: PLAN_ITEMS,
        events.violation_reported()["event_type"]: CASES,
        events.workplace_registered(cba_expires_on=None)["event_type"]: WORKPLACES,
    }
    assert set(kinds) <= ALERT_EVENT_TYPES
    assert change_for(event(events.unit_established())) is None
    assert change_for(event(events.milestone_reached())) is None
