"""Time-based alerts: which thresholds a plan item, case or workplace has crossed by `today`, and
the notice each raises. Pure functions, no I/O; `today` is always given (a Jakarta day).

Every alert has a deterministic key naming the thing and the date that armed it, and its notice
id is derived from that key: however often, wherever and after whatever reprocessing the check
runs, one alert is one notice. A deadline that moves (a new stage, a new expiry date, a re-sent
due date) gives a new key, so it alerts again; an item done or dropped, a case closed or a PKB no
longer in force simply stops matching.

No personal data: cases and plan items carry none, and the free text of the events (`note` of a
plan progress, `summary` of a report) never enters an alert. `title`, `responsible` and `employer`
name an item, an office and a company; they were screened at the intake and are screened again
here (a text that looks like it holds a phone number, NIK or e-mail address is left out).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from notifications.domain import labels
from notifications.domain.folds import CaseNow, PlanItemNow, WorkplaceNow
from notifications.domain.notices import Notice, NoticeType, Text
from organising_shared.deadlines import working_days_until
from organising_shared.reference import CbaStatus, PlanItemKind, ViolationCategory
from organising_shared.screening import personal_data_in

DEADLINE_NEAR_WORKING_DAYS = 5
CBA_EXPIRY_WARNING_DAYS = 90

_ALERT_NAMESPACE = uuid.UUID("5d0f2c1e-8a47-4b6e-9c3a-2e7b1f4d6a90")


@dataclass(frozen=True)
class Alert:
    key: str  # e.g. "plan-overdue|plan-fspmi-07|2026-05-31": one alert, once
    rule: NoticeType

    @property
    def notice_id(self) -> str:
        return str(uuid.uuid5(_ALERT_NAMESPACE, self.key))


# Thresholds -----------------------------------------------------------------------------------


def plan_item_alert(item: PlanItemNow, today: date) -> Alert | None:
    """Overdue: `due_on` before today and the item neither done nor dropped."""
    if item.status.is_settled or not item.due_on < today:
        return None
    return Alert(f"plan-overdue|{item.item_id}|{item.due_on.isoformat()}", NoticeType.PLAN_ITEM_OVERDUE)


def case_alert(case: CaseNow, today: date) -> Alert | None:
    """Passed once the deadline day is over; near from 5 working days before it.

    A case first seen after its deadline passed raises only the "passed" alert.
    """
    if not case.open or case.deadline is None:
        return None
    suffix = f"{case.federation}|{case.case_id}|{case.stage.value}|{case.entered_on.isoformat()}"
    if case.deadline < today:
        return Alert(f"case-deadline-passed|{suffix}", NoticeType.CASE_DEADLINE_PASSED)
    if working_days_until(today, case.deadline) <= DEADLINE_NEAR_WORKING_DAYS:
        return Alert(f"case-deadline-near|{suffix}", NoticeType.CASE_DEADLINE_NEAR)
    return None


def workplace_alert(workplace: WorkplaceNow, today: date) -> Alert | None:
    """A PKB in force that expires within 90 days (or has expired while still recorded in force)."""
    expires = workplace.cba_expires_on
    if workplace.cba is not CbaStatus.IN_FORCE or expires is None or (expires - today).days > CBA_EXPIRY_WARNING_DAYS:
        return None
    return Alert(f"cba-expiring|{workplace.federation}|{workplace.workplace_id}|{expires.isoformat()}", NoticeType.CBA_EXPIRING)


def case_horizon(today: date) -> date:
    """No deadline later than this can be near: 5 working days never span a month of calendar days
    (a store query narrows the cases with it; `case_alert` decides)."""
    return today + timedelta(days=31)


def cba_horizon(today: date) -> date:
    return today + timedelta(days=CBA_EXPIRY_WARNING_DAYS)


# Notices --------------------------------------------------------------------------------------


def plan_item_notice(alert: Alert, item: PlanItemNow, *, today: date, now: datetime) -> Notice:
    sec_id, sec_en = labels.sector(item.sector)
    kind_id, kind_en = labels.PLAN_KIND[PlanItemKind(item.kind)]
    status_id, status_en = labels.PLAN_STATUS[item.status]
    scope_id, scope_en = labels.scope(item.federation)
    days_late = (today - item.due_on).days
    title = _screened(item.title)
    responsible = _screened(item.responsible)
    named_id = f" «{title}»" if title else ""
    named_en = f" “{title}”" if title else ""
    by_id = f", penanggung jawab {responsible}" if responsible else ""
    by_en = f", responsible: {responsible}" if responsible else ""
    return _notice(
        alert,
        now=now,
        federation=item.federation,
        sector=item.sector,
        category=None,
        title=Text(id=f"Rencana aksi {item.item_id} terlambat", en=f"Plan item {item.item_id} is overdue"),
        message=Text(
            id=(
                f"Rencana aksi {item.item_id}{named_id} ({kind_id}, sektor {sec_id}, periode {item.period}, {scope_id}{by_id}) "
                f"jatuh tempo {item.due_on.isoformat()} dan terlambat {days_late} hari; status: {status_id}."
            ),
            en=(
                f"Plan item {item.item_id}{named_en} ({kind_en}, {sec_en} sector, period {item.period}, {scope_en}{by_en}) "
                f"was due on {item.due_on.isoformat()} and is {days_late} days late; status: {status_en}."
            ),
        ),
        facts={
            "alert_key": alert.key,
            "item_id": item.item_id,
            "period": item.period,
            "kind": item.kind,
            "status": item.status.value,
            "due_on": item.due_on.isoformat(),
            "days_late": days_late,
        },
    )


def case_notice(alert: Alert, case: CaseNow, *, today: date, now: datetime) -> Notice:
    assert case.deadline is not None  # only a stage with a deadline raises an alert
    stage_id, stage_en = labels.STAGE[case.stage]
    sec_id, sec_en = labels.sector(case.sector)
    cat_id, cat_en = (
        labels.CATEGORY[ViolationCategory(case.category)] if case.category else ("kategori tidak diketahui", "unknown category")
    )
    left = working_days_until(today, case.deadline)
    about_id = f"Kasus {case.case_id} ({cat_id}, sektor {sec_id}, {case.federation}) berada di tahap {stage_id} sejak {case.entered_on.isoformat()}"
    about_en = f"Case {case.case_id} ({cat_en}, {sec_en} sector, {case.federation}) has been at the {stage_en} stage since {case.entered_on.isoformat()}"
    if alert.rule is NoticeType.CASE_DEADLINE_PASSED:
        title = Text(
            id=f"Batas waktu {stage_id} kasus {case.case_id} terlampaui",
            en=f"Case {case.case_id}: {stage_en} deadline passed",
        )
        message = Text(
            id=f"{about_id}; batas waktu menurut UU 2/2004 ({case.deadline.isoformat()}) telah lewat.",
            en=f"{about_en}; its statutory deadline under Law 2/2004 ({case.deadline.isoformat()}) has passed.",
        )
    else:
        title = Text(
            id=f"Batas waktu {stage_id} kasus {case.case_id} tinggal {left} hari kerja",
            en=f"Case {case.case_id}: {left} working days left at {stage_en}",
        )
        message = Text(
            id=f"{about_id}; batas waktu menurut UU 2/2004 jatuh pada {case.deadline.isoformat()}, {left} hari kerja lagi.",
            en=f"{about_en}; its statutory deadline under Law 2/2004 is {case.deadline.isoformat()}, {left} working days from now.",
        )
    return _notice(
        alert,
        now=now,
        federation=case.federation,
        sector=case.sector,
        category=case.category,
        title=title,
        message=message,
        facts={
            "alert_key": alert.key,
            "case_id": case.case_id,
            "region_code": case.region_code,
            "stage": case.stage.value,
            "stage_entered_on": case.entered_on.isoformat(),
            "deadline": case.deadline.isoformat(),
            "working_days_left": left,
        },
    )


def workplace_notice(alert: Alert, workplace: WorkplaceNow, *, today: date, now: datetime) -> Notice:
    assert workplace.cba_expires_on is not None  # only a known expiry raises an alert
    expires = workplace.cba_expires_on.isoformat()
    days_left = (workplace.cba_expires_on - today).days
    sec_id, sec_en = labels.sector(workplace.sector)
    employer = _screened(workplace.employer)
    at_id = f"{workplace.workplace_id} ({employer})" if employer else workplace.workplace_id
    if days_left >= 0:
        title = Text(
            id=f"PKB di {workplace.workplace_id} berakhir dalam {days_left} hari",
            en=f"CBA at {workplace.workplace_id} expires in {days_left} days",
        )
        when_id, when_en = f"berakhir pada {expires}", f"expires on {expires}"
    else:
        title = Text(id=f"PKB di {workplace.workplace_id} telah berakhir", en=f"CBA at {workplace.workplace_id} has expired")
        when_id, when_en = f"berakhir pada {expires} tetapi masih tercatat berlaku", f"expired on {expires} but is still recorded in force"
    return _notice(
        alert,
        now=now,
        federation=workplace.federation,
        sector=workplace.sector,
        category=None,
        title=title,
        message=Text(
            id=f"Perjanjian Kerja Bersama (PKB) {workplace.federation} di tempat kerja {at_id}, sektor {sec_id}, wilayah {workplace.region_code or '-'}, {when_id}: saatnya berunding.",
            en=f"The collective agreement (PKB) of {workplace.federation} at workplace {at_id}, {sec_en} sector, region {workplace.region_code or '-'}, {when_en}: time to bargain.",
        ),
        facts={
            "alert_key": alert.key,
            "workplace_id": workplace.workplace_id,
            "region_code": workplace.region_code,
            "cba_expires_on": expires,
            "days_left": days_left,
        },
    )


def _screened(text: str | None) -> str | None:
    # Screened at the intake already; checked again because an alert goes to outside receivers.
    if not text or personal_data_in(text):
        return None
    return text


def _notice(
    alert: Alert,
    *,
    now: datetime,
    federation: str | None,
    sector: str | None,
    category: str | None,
    title: Text,
    message: Text,
    facts: dict[str, object],
) -> Notice:
    return Notice(
        notice_id=alert.notice_id,
        notice_type=alert.rule,
        urgent=False,
        occurred_at=now,
        federation=federation,
        sector=sector,
        category=category,
        title=title,
        message=message,
        facts=facts,
    )
