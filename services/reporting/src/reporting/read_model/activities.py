"""Activities (trainings, workshops, meetings…): projection and the figures of GET /api/v1/activities.

An activity counts once per `activity_id`, as its first `ActivityHeld` (by arrival) says; it
belongs to the federation that published it (the envelope's `federation`) and to every period
containing its `held_on`. Person-days are days × participants. Women's share is female
participants ÷ all participants (None when there are none).

Privacy (docs/decisions.md): with `suppress`, a cell counting 1–4 people is None, and so is
whatever would give it away (the women's share of a suppressed count, the person-days of a
suppressed total). The number of activities is not people and is never suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from organising_shared.events import Event
from organising_shared.reference import ActivityKind, Sector
from reporting.read_model.breakdowns import SMALL_CELL
from reporting.read_model.event_sets import Entry, in_arrival_order

HELD = "held"
GENDERS = ("female", "male", "unspecified")
# What a programme report counts as a training (docs/contract.md, "Programme report").
TRAINING_KINDS = (ActivityKind.TRAINING.value, ActivityKind.WORKSHOP.value)
_SECTOR_ORDER = {sector.value: index for index, sector in enumerate(Sector)}
_KIND_ORDER = {kind.value: index for index, kind in enumerate(ActivityKind)}


def activity_entry(event: Event) -> tuple[str, Entry]:
    data: Any = event.data  # the caller chose the event by `event_type`
    entry = data.model_dump(mode="json", exclude={"activity_id"}) | {"federation": event.federation}
    return data.activity_id, (HELD, str(event.event_id), entry)


def derive(document: Mapping[str, Any]) -> dict[str, Any]:
    """`state` (the first report) and `held_on` at the top level, which the period query uses."""
    held = in_arrival_order(document.get(HELD))
    first = {key: value for key, value in held[0].items() if key != "seq"}
    return {"state": first, "held_on": first["held_on"]}


class Totals:
    """Sums of a group of activities."""

    def __init__(self) -> None:
        self.activities = 0
        self.person_days = 0
        self.participants = dict.fromkeys(GENDERS, 0)
        self.cadres_trained = 0

    def add(self, activity: Mapping[str, Any]) -> None:
        people = activity["participants"]
        total = sum(people[gender] for gender in GENDERS)
        self.activities += 1
        self.person_days += activity["days"] * total
        for gender in GENDERS:
            self.participants[gender] += people[gender]
        self.cadres_trained += activity.get("cadres_trained") or 0

    def view(self, suppress: bool) -> dict[str, Any]:
        def people(value: int) -> int | None:
            return None if suppress and 0 < value < SMALL_CELL else value

        total = sum(self.participants.values())
        participants = {gender: people(self.participants[gender]) for gender in GENDERS} | {"total": people(total)}
        hidden = participants["female"] is None or participants["total"] is None
        return {
            "activities": self.activities,
            "person_days": None if participants["total"] is None else self.person_days,
            "participants": participants,
            "women_share": None if total == 0 or hidden else round(self.participants["female"] / total, 4),
            "cadres_trained": people(self.cadres_trained),
        }


def _grouped(
    activities: list[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], Any], name: str, order: Callable[[Any], Any], suppress: bool
) -> list[dict[str, Any]]:
    groups: dict[Any, Totals] = {}
    for activity in activities:
        groups.setdefault(key(activity), Totals()).add(activity)
    return [{name: value, **groups[value].view(suppress)} for value in sorted(groups, key=order)]


def totals_of(activities: Iterable[Mapping[str, Any]]) -> Totals:
    totals = Totals()
    for activity in activities:
        totals.add(activity)
    return totals


def activities_report(activities: Iterable[Mapping[str, Any]], *, suppress: bool) -> dict[str, Any]:
    """totals, by_federation, by_sector (None: several sectors), by_programme (None: none named), by_kind."""
    chosen = list(activities)
    return {
        "totals": totals_of(chosen).view(suppress),
        "by_federation": _grouped(chosen, lambda a: a["federation"], "federation", lambda v: v, suppress),
        "by_sector": _grouped(chosen, lambda a: a.get("sector"), "sector", lambda v: (v is None, _SECTOR_ORDER.get(v, 99)), suppress),
        "by_programme": _grouped(chosen, lambda a: a.get("programme"), "programme", lambda v: (v is None, v or ""), suppress),
        "by_kind": _grouped(chosen, lambda a: a["kind"], "kind", lambda v: _KIND_ORDER.get(v, 99), suppress),
    }


def matching(
    activities: Iterable[Mapping[str, Any]], *, sector: str | None = None, federation: str | None = None, programme: str | None = None
) -> list[Mapping[str, Any]]:
    return [
        activity
        for activity in activities
        if (sector is None or activity.get("sector") == sector)
        and (federation is None or activity["federation"] == federation)
        and (programme is None or activity.get("programme") == programme)
    ]
