"""docs/contract.md's counting rules as pure functions of an entity's events.

Every projected entity (a member of one federation, a case, a union unit) keeps the set of its
events, keyed by `event_id`. What the entity contributes to the counters is a pure function of
that set, so:

- a re-sent event (same `event_id`) changes nothing: the set is the same;
- the order in which events arrive does not matter: events are put in order by their own dates
  (then `occurred_at`, then `event_id`), so a live consumer and a rebuild from scratch, whose
  interleaving of partitions differs, reach exactly the same figures;
- a late event (a `MemberLeft` dated before a recruitment that already arrived, a case closure
  that arrives before its report) simply changes the contribution, and the projection applies
  the difference.

A contribution is a `Counter` of (counter document id, field path) → amount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from organising_shared.periods import periods_containing
from organising_shared.reference import RESOLVED_OUTCOMES, province_of
from reporting.read_model import fields as F

Contribution = Counter  # Counter[tuple[str, str]]

# Before any ViolationCaseProgressed, a case is at the first stage the law requires.
INITIAL_STAGE = "bipartite"
ALL_FEDERATIONS = "*"


def _in_order(events: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    return sorted(events.items(), key=lambda item: (item[1]["day"], item[1]["at"], item[0]))


@lru_cache(maxsize=4096)
def _period_codes(day: str) -> tuple[str, ...]:
    # Every event's day is parsed into its year, semester and quarter: the same few hundred days
    # recur across a batch, so the codes are remembered.
    return tuple(period.code for period in periods_containing(date.fromisoformat(day)))


@lru_cache(maxsize=16384)
def _counter_documents(day: str, sector: str, federation: str) -> tuple[str, ...]:
    return tuple(F.counter_id(code, sector, federation) for code in _period_codes(day))


def _add(contribution: Contribution, day: str, sector: str, federation: str, fields: Iterable[tuple[str, int]]) -> None:
    for doc in _counter_documents(day, sector, federation):
        for field, amount in fields:
            if amount:
                key = (doc, field)
                contribution[key] = contribution.get(key, 0) + amount  # faster than Counter's `+=`


@lru_cache(maxsize=4096)
def _recruited_fields(gender: str, employment_status: str, age_band: str, region_code: str) -> tuple[tuple[str, int], ...]:
    # A batch's thousands of recruitments share a few hundred combinations of these.
    return (
        (F.MEMBERS_RECRUITED, 1),
        (F.recruited_by("gender", gender), 1),
        (F.recruited_by("employment_status", employment_status), 1),
        (F.recruited_by("age_band", age_band or "unspecified"), 1),
        *_region_fields(F.RECRUITED, region_code),
    )


@lru_cache(maxsize=4096)
def _left_fields(region_code: str) -> tuple[tuple[str, int], ...]:
    return ((F.MEMBERS_LEFT, 1), *_region_fields(F.LEFT, region_code))


@lru_cache(maxsize=4096)
def _daily(metric: str, day: str) -> tuple[str, int]:
    # The pace chart's per-day counter; remembered, as the same days recur across a batch.
    return (F.daily(metric, day), 1)


def _region_fields(group: str, region_code: str, amount: int = 1) -> list[tuple[str, int]]:
    fields = [(F.by_region(group, "province", province_of(region_code)), amount)]
    if "." in region_code:
        fields.append((F.by_region(group, "regency", F.region_key(region_code)), amount))
    return fields


class MemberEntry(NamedTuple):
    """One event of a member's history. Tuples sort by date, then `at`, then `event_id`: the
    order the counting rules read a history in."""

    day: str
    at: str  # occurred_at in UTC, ISO 8601 with microseconds (fixed width, so it sorts as text)
    event_id: str
    kind: str  # "recruited" or "left"
    sector: str
    region_code: str
    gender: str = ""
    employment_status: str = ""
    age_band: str = ""
    # Where the member works, escaped for the ledger (`ledger.escape`): union density counts a
    # member at the workplace of their latest recruitment while they are active.
    workplace_id: str = ""


def member_contribution(federation: str, history: Iterable[MemberEntry]) -> Contribution:
    """One member of one federation: which recruitments and departures count.

    A recruitment counts unless the member is already active in that federation; a departure
    counts unless the member has already left (a member first seen leaving was recruited before
    the record began, so the departure counts for net membership). `history` holds each event
    once (by `event_id`).
    """
    contribution: Contribution = Counter()
    active: bool | None = None  # None: not known yet
    for entry in sorted(history):
        if entry.kind == "recruited":
            if active is not True:
                fields = _recruited_fields(entry.gender, entry.employment_status, entry.age_band, entry.region_code)
                _add(contribution, entry.day, entry.sector, federation, (*fields, _daily(F.MEMBERS_RECRUITED, entry.day)))
            active = True
        else:
            if active is not False:
                _add(contribution, entry.day, entry.sector, federation, _left_fields(entry.region_code))
            active = False
    return contribution


def active_workplace(history: Iterable[MemberEntry]) -> str | None:
    """The (ledger-escaped) workplace at which the member is active now, or None once they have
    left (or when no recruitment is known): the workplace of the latest event, if that is a
    recruitment. Pure, like the contributions: live and rebuild agree."""
    last = max(history, default=None)
    return last.workplace_id if last is not None and last.kind == "recruited" else None


def unit_contribution(events: Mapping[str, Mapping[str, Any]]) -> Contribution:
    """A union unit counts once per `unit_id`, by the earliest report of its founding."""
    contribution: Contribution = Counter()
    if not events:
        return contribution
    _, first = _in_order(events)[0]
    fields = [
        (F.UNION_UNITS_ESTABLISHED, 1),
        _daily(F.UNION_UNITS_ESTABLISHED, first["day"]),
        (F.FOUNDING_MEMBERS, first["founding_members"]),
        (F.WOMEN_ON_BOARD, first.get("women_on_board") or 0),
        *_region_fields(F.UNITS, first["region_code"]),
    ]
    _add(contribution, first["day"], first["sector"], first["federation"], fields)
    return contribution


def case_state(case: Mapping[str, Any]) -> dict[str, Any] | None:
    """The case as it stands: its first report, its latest stage and its first closure.

    None while no report has arrived: a closure seen before its report waits for it (the report
    carries the sector and federation the case is counted under).
    """
    reports = case.get("reports") or {}
    if not reports:
        return None
    _, report = _in_order(reports)[0]
    progress = case_progress(case)
    closes = _in_order(case.get("closes") or {})
    close = closes[0][1] if closes else None
    return {
        "report": report,
        "stage": progress[-1]["stage"] if progress else INITIAL_STAGE,
        # A case enters bipartite on its report's day unless a progress says otherwise.
        "stage_entered_on": progress[-1]["day"] if progress else report["day"],
        "close": close,
    }


def case_progress(case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A case's ViolationCaseProgressed entries in the order that decides its stage: `changed_on`,
    then arrival (`seq`, the order the case's document received them; its events share a key,
    so that is their order on Kafka), then `occurred_at` and `event_id` for documents written
    before `seq` was kept."""
    progress = case.get("progress") or {}
    ordered = sorted(progress.items(), key=lambda item: (item[1]["day"], item[1].get("seq", 0), item[1]["at"], item[0]))
    return [entry for _, entry in ordered]


def case_contribution(case: Mapping[str, Any]) -> Contribution:
    """Open/closed cases by category and stage and workers affected, by the day it was reported;
    closures, money recovered and `cases_resolved` (once per case), by the day it was closed.

    An open case also counts under `cases.open_by_day.<reported_on>`: the age of open cases
    changes every day without an event, so the figures keep the day and the reader ages it.
    """
    contribution: Contribution = Counter()
    state = case_state(case)
    if state is None:
        return contribution
    report, stage, close = state["report"], state["stage"], state["close"]
    sector, federation = report["sector"], report["federation"]
    status = "closed" if close else "open"
    reported = [
        (F.CASES_REPORTED, 1),
        (F.WORKERS_AFFECTED, report["workers_affected"]),
        (F.WOMEN_AFFECTED, report.get("women_affected") or 0),
        (F.cases_by(status, "category", report["category"]), 1),
        (F.cases_by(status, "stage", stage), 1),
        (F.workers_affected_by_category(report["category"]), report["workers_affected"]),
        *_region_fields(F.CASES, report["region_code"]),
    ]
    if not close:
        reported.append((F.open_cases_on(report["day"]), 1))
    _add(contribution, report["day"], sector, federation, reported)
    if close:
        resolved = 1 if close["outcome"] in RESOLVED_OUTCOMES else 0
        closed = [
            (F.CASES_CLOSED, 1),
            (F.case_outcome(close["outcome"]), 1),
            (F.RECOVERED_IDR, close.get("recovered_idr") or 0),
            (F.WORKERS_BENEFITED, close.get("workers_benefited") or 0),
            (F.CASES_RESOLVED, resolved),
            (F.daily(F.CASES_RESOLVED, close["day"]), resolved),
        ]
        _add(contribution, close["day"], sector, federation, closed)
    return contribution


def add_into(total: dict, contribution: Mapping, *, times: int = 1) -> None:
    """total += contribution × times, in place (Counter.update is slower)."""
    get = total.get
    for key, amount in contribution.items():
        total[key] = get(key, 0) + amount * times
