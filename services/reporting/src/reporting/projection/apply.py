"""Applies a batch of events to one generation of the projections, coalesced.

Per batch: `digest_batch` groups the events by member, unit and case and builds their entries
(no stored state: it runs when the batch is decoded, before its transaction). Then, in the
transaction: one read of every unit, case and target the batch touches (members are held in
memory by the `member_ledger`), the contributions recomputed in memory (see `counting`), then
one write per changed unit or case, one ledger segment for all changed members, and one write
per counter document. A thousand recruitments in one sector and period are one counter update,
not a thousand.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from organising_shared.events import Event, SectorTargetSetEvent
from organising_shared.mongo import find_by_keys, only_duplicate_keys
from organising_shared.projections import Delivered
from organising_shared.projections.failures import ApplyAgain
from reporting.projection.generations import Generation
from reporting.read_model import activities, cases, counting, fields, plans, workplaces
from reporting.read_model.event_sets import Entry, apply_event_sets
from reporting.read_model.ledger import MemberLedger, escape
from reporting.read_model.targets import apply_target_events, target_row

MEMBER_EVENTS = {"MemberRecruited", "MemberLeft"}
PLAN_EVENTS = {"ActionPlanItemAdded", "ActionPlanItemProgressed"}
WORKPLACE_EVENTS = {"WorkplaceRegistered", "WorkplaceUpdated"}
CASE_EVENTS = {"ViolationReported": "reports", "ViolationCaseProgressed": "progress", "ViolationCaseClosed": "closes"}


def _when(event: Event) -> str:
    return event.occurred_at.astimezone(UTC).isoformat()


def member_key(event: Event) -> str:
    data: Any = event.data  # a member event's (the caller chose it by `event_type`)
    return f"{event.federation}|{data.member_ref}"


def member_entry(event: Event) -> counting.MemberEntry:
    data: Any = event.data  # the caller chose the event by `event_type`: its fields are known
    at = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    if event.event_type == "MemberRecruited":
        return counting.MemberEntry(
            day=data.recruited_on.isoformat(),
            at=at,
            event_id=str(event.event_id),
            kind="recruited",
            sector=str(data.sector),
            region_code=data.region_code,
            gender=str(data.gender),
            employment_status=str(data.employment_status),
            age_band=str(data.age_band) if data.age_band else "",
            workplace_id=escape(data.workplace_id),
        )
    return counting.MemberEntry(
        day=data.left_on.isoformat(),
        at=at,
        event_id=str(event.event_id),
        kind="left",
        sector=str(data.sector),
        region_code=data.region_code,
        workplace_id=escape(data.workplace_id),
    )


async def _apply_members(
    ledger: MemberLedger,
    additions: dict[str, list[counting.MemberEntry]],
    session: AsyncClientSession | None,
    total: Counter,
    at_workplaces: Counter,
) -> None:
    """`additions`: member key (`federation|member_ref`) → the batch's events of that member.

    Adds to `total` the counter changes and to `at_workplaces` the change in active members per
    (federation, escaped workplace_id) (`counting.active_workplace`, for union density)."""
    await ledger.catch_up(session)
    changed: dict[str, list[counting.MemberEntry]] = {}
    # Most of a batch is members seen for the first time with one event, whose contribution
    # depends only on what the event says (not on its id or time): they are tallied by that and
    # counted once per distinct kind of event, not once per member.
    first_events: Counter = Counter()
    for position, (key, entries) in enumerate(additions.items()):
        if position % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)  # the same event loop answers GETs: let them in between members
        history = ledger.history(key)
        seen = {entry.event_id for entry in history}
        new = list({entry.event_id: entry for entry in entries if entry.event_id not in seen}.values())  # a re-sent event changes nothing
        if not new:
            continue
        federation = key.split("|", 1)[0]
        if not history and len(new) == 1:
            first = new[0]
            first_events[(federation, first._replace(at="", event_id="", workplace_id=""))] += 1
            if first.kind == "recruited":
                at_workplaces[(federation, first.workplace_id)] += 1
        elif history:
            counting.add_into(total, counting.member_contribution(federation, history), times=-1)
            counting.add_into(total, counting.member_contribution(federation, history + new))
            _moved(at_workplaces, federation, counting.active_workplace(history), counting.active_workplace(history + new))
        else:
            counting.add_into(total, counting.member_contribution(federation, new))
            _moved(at_workplaces, federation, None, counting.active_workplace(new))
        changed[key] = history + new
    for (federation, entry), members in first_events.items():
        counting.add_into(total, counting.member_contribution(federation, [entry]), times=members)
    await ledger.append(changed, session)


def _moved(at_workplaces: Counter, federation: str, before: str | None, after: str | None) -> None:
    if before != after:
        if before is not None:
            at_workplaces[(federation, before)] -= 1
        if after is not None:
            at_workplaces[(federation, after)] += 1


def unit_entry(event: Event) -> dict[str, Any]:
    data: Any = event.data  # the caller chose the event by `event_type`: its fields are known
    return {
        "day": data.established_on.isoformat(),
        "at": _when(event),
        "federation": event.federation,
        "sector": str(data.sector),
        "region_code": data.region_code,
        "founding_members": data.founding_members,
        "women_on_board": data.women_on_board,
    }


def case_entry(event: Event) -> dict[str, Any]:
    data: Any = event.data  # the caller chose the event by `event_type`: its fields are known
    at = _when(event)
    if event.event_type == "ViolationReported":
        return {
            "day": data.reported_on.isoformat(),
            "at": at,
            "federation": event.federation,
            "sector": str(data.sector),
            "workplace_id": data.workplace_id,
            "region_code": data.region_code,
            "category": str(data.category),
            "workers_affected": data.workers_affected,
            "women_affected": data.women_affected,
        }
    if event.event_type == "ViolationCaseProgressed":
        return {"day": data.changed_on.isoformat(), "at": at, "stage": str(data.stage)}
    return {
        "day": data.closed_on.isoformat(),
        "at": at,
        "outcome": str(data.outcome),
        "recovered_idr": data.recovered_idr,
        "workers_benefited": data.workers_benefited,
    }


# Recomputing a contribution takes ~0.1 ms: a few hundred entities (or decoded records, in
# `reporting.projection.projector`) between yields keep a GET's wait for the event loop to a few tens of
# milliseconds.
YIELD_EVERY = 250


async def _load(collection: AsyncCollection, ids: Sequence[str], session: AsyncClientSession | None) -> dict[str, dict[str, Any]]:
    return {row["_id"]: row async for row in find_by_keys(collection, ids, session=session)}


class EntityExists(ApplyAgain):
    """A unit or case this batch took for new was stored already (an event sent again, a case's
    progress before its report, another instance): apply the batch again, reading every entity
    first (`read_first`)."""


async def _apply_entities(
    collection: AsyncCollection,
    additions: dict[str, list[tuple[str, str, dict[str, Any]]]],
    contribution: Callable[[dict[str, Any]], Counter],
    session: AsyncClientSession | None,
    total: Counter,
    *,
    founding_bucket: str | None,
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """`additions`: entity id → [(bucket, event_id, entry)]; bucket is the events map's field.

    With `derive` (cases), each new event also gets `seq`, the order in which the entity's
    document received it (`arrivals` counts them: the contract's "then arrival"), and what
    `derive` makes of the events is stored as top-level fields of the document, in the same write.

    An entity whose events in this batch are all of `founding_bucket` (a unit's founding, a
    case's report) is taken for new and not read first: reading costs the store about a third as
    much again as the insert, and in a flood almost every one is new. When one was stored
    already, its insert fails, and with it the transaction (`EntityExists`); so does a concurrent
    insert of the same entity by another instance. `founding_bucket=None` reads every entity.
    New entities are inserted, which is much cheaper than upserting them.
    """
    unread = (
        set()
        if founding_bucket is None
        else {entity_id for entity_id, entries in additions.items() if all(bucket == founding_bucket for bucket, _, _ in entries)}
    )
    stored = await _load(collection, [entity_id for entity_id in additions if entity_id not in unread], session)
    inserts, replaces = [], []
    for position, (entity_id, entries) in enumerate(additions.items()):
        if position % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)  # the same event loop answers GETs: let them in between entities
        existing = stored.get(entity_id)
        document = existing or {"_id": entity_id}
        before = contribution(document) if existing else Counter()
        changed = False
        for bucket, event_id, entry in entries:
            events = document.setdefault(bucket, {})
            if event_id not in events:  # a re-sent event changes nothing
                if derive is not None:
                    document["arrivals"] = document.get("arrivals", 0) + 1
                    entry = {**entry, "seq": document["arrivals"]}
                events[event_id] = entry
                changed = True
        if not changed:
            continue
        if derive is not None:
            document.update(derive(document))
        counting.add_into(total, before, times=-1)
        counting.add_into(total, contribution(document))
        if existing:
            replaces.append(ReplaceOne({"_id": entity_id}, document))
        else:
            inserts.append(document)
    if inserts:
        try:
            await collection.insert_many(inserts, session=session, ordered=False)
        except BulkWriteError as error:
            if only_duplicate_keys(error):
                raise EntityExists(collection.name) from None
            raise
    if replaces:
        await collection.bulk_write(replaces, session=session, ordered=False)


@dataclass
class BatchChanges:
    """A batch's events grouped by what they change, built from the events alone (no stored
    state), so that it can be made before the batch's transaction: members by key, units and
    cases by id (entries for `_apply_entities`), the target events in order, and plan items and
    activities by id (entries for `read_model.event_sets`)."""

    members: dict[str, list[counting.MemberEntry]] = field(default_factory=lambda: defaultdict(list))
    units: dict[str, list[tuple[str, str, dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))
    cases: dict[str, list[tuple[str, str, dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))
    target_events: list[SectorTargetSetEvent] = field(default_factory=list)
    plan_items: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    activities: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    workplaces: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))


def digest_batch(delivered: Sequence[Delivered]) -> BatchChanges:
    changes = BatchChanges()
    for item in delivered:
        event = item.event
        kind = event.event_type
        data: Any = event.data  # chosen by `kind` below
        if kind in MEMBER_EVENTS:
            changes.members[member_key(event)].append(member_entry(event))
        elif kind == "UnionUnitEstablished":
            changes.units[data.unit_id].append(("events", str(event.event_id), unit_entry(event)))
        elif kind in CASE_EVENTS:
            changes.cases[data.case_id].append((CASE_EVENTS[kind], str(event.event_id), case_entry(event)))
        elif isinstance(event, SectorTargetSetEvent):
            changes.target_events.append(event)
        elif kind in PLAN_EVENTS:
            item_id, entry = plans.plan_entry(event)
            changes.plan_items[item_id].append(entry)
        elif kind == "ActivityHeld":
            activity_id, entry = activities.activity_entry(event)
            changes.activities[activity_id].append(entry)
        elif kind in WORKPLACE_EVENTS:
            key, entry = workplaces.workplace_entry(event)
            changes.workplaces[key].append(entry)
    return changes


async def apply_batch(
    generation: Generation, ledger: MemberLedger, changes: BatchChanges, session: AsyncClientSession | None, *, read_first: bool
) -> Counter:
    """Apply a digested batch to `generation` (whose members `ledger` holds); returns the
    counter changes it made. The caller tells `ledger` whether the transaction committed.

    Without `read_first`, units and cases seen only by their founding events are taken for new
    (`_apply_entities`), and `EntityExists` says to apply the batch again with it."""
    total: Counter = Counter()
    at_workplaces: Counter = Counter()
    if changes.members:
        await _apply_members(ledger, changes.members, session, total, at_workplaces)
        await workplaces.write_active_members(generation.workplace_members, at_workplaces, session)
    if changes.units:
        await _apply_entities(
            generation.units,
            changes.units,
            lambda doc: counting.unit_contribution(doc.get("events") or {}),
            session,
            total,
            founding_bucket=None if read_first else "events",
        )
    if changes.cases:
        await _apply_entities(
            generation.cases,
            changes.cases,
            counting.case_contribution,
            session,
            total,
            founding_bucket=None if read_first else "reports",
            derive=cases.derive,
        )
    if total:
        await write_counters(generation.counters, total, session)
    if changes.target_events:
        await apply_target_events(generation.targets, [target_row(event) for event in changes.target_events], session)
    if changes.plan_items:
        await apply_event_sets(generation.plan_items, changes.plan_items, plans.derive, session)
    if changes.activities:
        await apply_event_sets(generation.activities, changes.activities, activities.derive, session)
    if changes.workplaces:
        await apply_event_sets(generation.workplaces, changes.workplaces, workplaces.derive, session)
    return total


async def write_counters(collection: AsyncCollection, total: Counter, session: AsyncClientSession | None) -> None:
    """Add `total` to the counter documents: read, add in memory, write each document whole.

    Inside the batch's transaction a concurrent writer of the same document conflicts, so this is
    as safe as `$inc`; and on SecantusDB an update's cost grows with the number of fields it
    names (a batch names hundreds: every region), while a whole-document write does not (about
    three times faster for a batch's counters, measured by `python -m bench projection`). A
    SecantusDB measurement, a guess about MongoDB.
    """
    by_document: dict[str, dict[str, int]] = defaultdict(dict)
    for (doc_id, path), amount in total.items():
        if amount:
            by_document[doc_id][path] = amount
    if not by_document:
        return
    stored = await _load(collection, sorted(by_document), session)
    inserts, replaces = [], []
    for doc_id, increments in sorted(by_document.items()):
        document = stored.get(doc_id)
        if document is None:
            period, sector, federation = fields.parse_counter_id(doc_id)
            document = {"_id": doc_id, "period": period, "sector": sector, "federation": federation}
            inserts.append(document)
        else:
            replaces.append(ReplaceOne({"_id": doc_id}, document))
        for path, amount in increments.items():
            _increment(document, path, amount)
    if inserts:
        await collection.insert_many(inserts, session=session, ordered=False)
    if replaces:
        await collection.bulk_write(replaces, session=session, ordered=False)


def _increment(document: dict[str, Any], path: str, amount: int) -> None:
    """`$inc` on a dotted path, in memory."""
    *parents, leaf = path.split(".")
    for name in parents:
        document = document.setdefault(name, {})
    document[leaf] = document.get(leaf, 0) + amount


__all__ = ["BatchChanges", "EntityExists", "apply_batch", "digest_batch", "write_counters"]
