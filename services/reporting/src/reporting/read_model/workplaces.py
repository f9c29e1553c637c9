"""Workplaces being organised: their register (projection side) and active members per workplace.

A workplace is the federation's: keyed `federation|workplace_id` (docs/contract.md, v1
additions), so two federations organising the same factory each keep their own. Its document
keeps the set of its events (`event_sets`): `registered` (WorkplaceRegistered) and `updates`
(WorkplaceUpdated). What it is now (`state`) is the latest registration by arrival, with every
update laid over it by (`changed_on`, arrival); an update only names what changed. An update that
arrives before the registration is kept and applies once the registration arrives; until then
`state` is None and the workplace is not listed. Arrival is the order on Kafka: a workplace's
events share their key (`workplace_id`), so a live consumer and a rebuild see them alike.

Active members per workplace (for union density) come from the member ledger: each batch adds
the change in active members per (federation, workplace_id) (`counting.active_workplace`) to one
document per federation in `workplace_members`, written whole like the counters. Members at a
workplace that is not registered are kept there too (the registration may come later) and are
simply not in any density.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from organising_shared.events import Event
from reporting.read_model.event_sets import Entry, in_arrival_order
from reporting.read_model.ledger import unescape

REGISTERED, UPDATES = "registered", "updates"
FIELDS = ("sector", "region_code", "employer", "workforce", "women_percent", "outsourced_percent", "cba", "cba_expires_on")
CHANGEABLE = ("employer", "workforce", "women_percent", "outsourced_percent", "cba", "cba_expires_on")


def workplace_key(federation: str, workplace_id: str) -> str:
    # A federation code never holds "|" (`^[A-Z][A-Z0-9-]{1,15}$`): the first one splits the key.
    return f"{federation}|{workplace_id}"


def workplace_entry(event: Event) -> tuple[str, Entry]:
    """(key, entry) of a workplace event, for `event_sets.apply_event_sets`."""
    data: Any = event.data  # the caller chose the event by `event_type`
    entry = data.model_dump(mode="json", exclude={"workplace_id"}, exclude_none=True)
    bucket = REGISTERED if event.event_type == "WorkplaceRegistered" else UPDATES
    return workplace_key(event.federation, data.workplace_id), (bucket, str(event.event_id), entry)


def updates_in_order(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The updates in the order they apply: `changed_on`, then arrival."""
    return sorted((document.get(UPDATES) or {}).values(), key=lambda entry: (entry["changed_on"], entry["seq"]))


def derive(document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored top-level fields: `federation`, `workplace_id` and `state` (None until registered)."""
    federation, workplace_id = document["_id"].split("|", 1)
    registrations = in_arrival_order(document.get(REGISTERED))
    if not registrations:
        return {"federation": federation, "workplace_id": workplace_id, "state": None}
    state: dict[str, Any] = {name: registrations[-1].get(name) for name in FIELDS}
    changed_on = None
    for update in updates_in_order(document):
        state.update({name: update[name] for name in CHANGEABLE if update.get(name) is not None})
        changed_on = update["changed_on"]
    state["changed_on"] = changed_on
    return {"federation": federation, "workplace_id": workplace_id, "state": state}


def history(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The updates as the detail view shows them: what each one changed, in the order they apply."""
    return [
        {"changed_on": update["changed_on"], **{name: update[name] for name in CHANGEABLE if update.get(name) is not None}}
        for update in updates_in_order(document)
    ]


async def write_active_members(collection: AsyncCollection, changes: Counter, session: AsyncClientSession | None) -> None:
    """Add `changes` ((federation, ledger-escaped workplace_id) → change in active members) to the
    per-federation documents `{_id: federation, ids: [...], active: [...]}` (lists, because a
    workplace_id may hold dots or a `$`, which field names may not). Zeros are dropped, so the
    documents a rebuild writes equal the live ones."""
    by_federation: dict[str, dict[str, int]] = defaultdict(dict)
    for (federation, workplace), amount in changes.items():
        if amount:
            by_federation[federation][unescape(workplace)] = amount
    if not by_federation:
        return
    stored = {row["_id"]: row async for row in collection.find({"_id": {"$in": sorted(by_federation)}}, session=session)}
    writes = []
    for federation, amounts in sorted(by_federation.items()):
        row = stored.get(federation)
        counts = dict(zip(row["ids"], row["active"], strict=True)) if row else {}
        for workplace, amount in amounts.items():
            counts[workplace] = counts.get(workplace, 0) + amount
        kept = sorted((workplace, count) for workplace, count in counts.items() if count)
        document = {"_id": federation, "ids": [w for w, _ in kept], "active": [c for _, c in kept]}
        writes.append(ReplaceOne({"_id": federation}, document, upsert=True))
    await collection.bulk_write(writes, session=session, ordered=False)


async def active_members(collection: AsyncCollection, federations: list[str] | None = None) -> dict[tuple[str, str], int]:
    """(federation, workplace_id) → active members now."""
    query = {} if federations is None else {"_id": {"$in": federations}}
    found: dict[tuple[str, str], int] = {}
    async for row in collection.find(query):
        for workplace, count in zip(row["ids"], row["active"], strict=True):
            found[(row["_id"], workplace)] = count
    return found
