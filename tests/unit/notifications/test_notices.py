"""Rules from events to notices: which events raise one, what it says, and that it says no names."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from notifications.domain.notices import CaseInfo, NoticeType, notice_for, stalled_notice
from organising_shared.events import EVENT_ADAPTER
from tests.examples import member_recruited
from tests.unit.notifications import events


def parse(document):
    return EVENT_ADAPTER.validate_python(document, context={"federations": {"FSPMI", "SPN", "KSPI"}})


def test_union_busting_report_is_urgent_and_bilingual():
    notice = notice_for(parse(events.violation_reported(category="union_busting")), None)
    assert notice.notice_type is NoticeType.VIOLATION_REPORTED
    assert notice.urgent
    assert notice.title.id.startswith("MENDESAK: ")
    assert "pemberangusan serikat" in notice.title.id and "Semen" in notice.title.id
    assert notice.title.en.startswith("URGENT: ") and "Cement" in notice.title.en
    assert (notice.sector, notice.category, notice.federation) == ("cement", "union_busting", "FSPMI")


def test_other_violation_is_not_urgent():
    notice = notice_for(parse(events.violation_reported(category="minimum_wage")), None)
    assert not notice.urgent
    assert "upah minimum" in notice.title.id and "MENDESAK" not in notice.title.id


def test_free_text_summary_never_reaches_a_notice():
    # A reporter may type a name into the summary (a NIK there is refused when decoding; a name
    # cannot be recognised); it must not travel to receivers.
    event = events.violation_reported(summary="Budi Santoso dipecat setelah rapat PUK")
    notice = notice_for(parse(event), None)
    text = json.dumps(notice.model_dump(mode="json"))
    assert "Budi" not in text and "Santoso" not in text


def test_case_closed_takes_sector_and_category_from_the_remembered_case():
    case = CaseInfo(
        case_key="FSPMI:c-1",
        case_id="c-1",
        federation="FSPMI",
        sector="cement",
        category="union_busting",
        region_code="33.01",
        workers_affected=40,
        last_activity_on=date(2026, 3, 1),
    )
    notice = notice_for(parse(events.case_closed("c-1", outcome="settled")), case)
    assert notice.notice_type is NoticeType.VIOLATION_CASE_CLOSED
    assert (notice.sector, notice.category) == ("cement", "union_busting")
    assert "selesai dengan kesepakatan" in notice.title.id and "settled" in notice.title.en
    assert "Rp150.000.000" in notice.message.id


def test_case_closed_of_an_unknown_case_still_notifies_without_sector():
    notice = notice_for(parse(events.case_closed("never-seen")), None)
    assert notice.sector is None and notice.category is None


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (events.unit_established(), NoticeType.UNION_UNIT_ESTABLISHED),
        (events.milestone_reached(), NoticeType.TARGET_MILESTONE_REACHED),
        (events.falling_behind(), NoticeType.SECTOR_FALLING_BEHIND),
    ],
)
def test_each_notified_event_type_raises_its_notice(event, expected):
    notice = notice_for(parse(event), None)
    assert notice.notice_type is expected
    assert notice.notice_id == event["event_id"]
    assert notice.title.id and notice.title.en and notice.message.id and notice.message.en


def test_progress_notice_belongs_to_the_target_federation_not_the_publisher():
    assert notice_for(parse(events.milestone_reached(federation="SPN")), None).federation == "SPN"
    assert notice_for(parse(events.milestone_reached(federation=None)), None).federation is None


@pytest.mark.parametrize("event", [member_recruited(), events.case_progressed("c-1")])
def test_events_nobody_is_told_of_raise_nothing(event):
    assert notice_for(parse(event), None) is None


def test_stalled_notice_id_is_stable_per_stall_and_changes_when_the_case_moves():
    case = CaseInfo(
        case_key="FSPMI:c-9",
        case_id="c-9",
        federation="FSPMI",
        sector="metal",
        category="severance",
        region_code="32.16",
        workers_affected=3,
        stage="mediation",
        last_activity_on=date(2026, 1, 2),
    )
    now = datetime.now(UTC)
    first = stalled_notice(case, today=date(2026, 2, 5), now=now)
    again = stalled_notice(case, today=date(2026, 2, 6), now=now + timedelta(days=1))
    moved = stalled_notice(case.model_copy(update={"last_activity_on": date(2026, 1, 20)}), today=date(2026, 3, 1), now=now)
    assert first.notice_id == again.notice_id != moved.notice_id
    assert first.notice_type is NoticeType.CASE_STALLED
    assert "macet 34 hari" in first.title.id and "mediasi" in first.message.id
