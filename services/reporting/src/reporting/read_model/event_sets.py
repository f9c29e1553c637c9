"""Documents that keep the set of an entity's events and what it currently is (plan items, activities).

Each document holds its events by bucket (`added`, `progress`, `held`…), keyed by `event_id`, each
with `seq`, the order in which this document received it. What the entity is now is derived from
that set alone (`derive`), so a re-sent event changes nothing and an event that arrives before the
one that founds the entity (a plan item's progress before the item) is kept until it does.

`seq` is arrival order: an entity's events share a partition key (a plan's sector, an activity's
federation, docs/contract.md "Keys"), so a live consumer and a rebuild see them in the same order.

Unlike members, units and cases, these entities add nothing to the counter documents: there are
a few hundred plan items and a few thousand activities a year, so their figures are summed when
read (and cached by the API), and the projection only keeps each entity whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from organising_shared.mongo import find_by_keys

Entry = tuple[str, str, dict[str, Any]]  # (bucket, event_id, entry)


def in_arrival_order(events: Mapping[str, Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    return sorted((events or {}).values(), key=lambda entry: entry["seq"])


async def apply_event_sets(
    collection: AsyncCollection,
    additions: Mapping[str, Sequence[Entry]],
    derive: Callable[[dict[str, Any]], dict[str, Any]],
    session: AsyncClientSession | None,
) -> None:
    """Add each entity's new events to its document and store what `derive` makes of them
    (top-level fields, for example `state`), in the batch's transaction. Every touched document
    is read first: these entities are few, and a concurrent writer of the same one conflicts
    with this transaction, which is then applied again."""
    ids = list(additions)
    stored = {row["_id"]: row async for row in find_by_keys(collection, ids, session=session)}
    writes = []
    for entity_id, entries in additions.items():
        document = stored.get(entity_id) or {"_id": entity_id, "arrivals": 0}
        changed = False
        for bucket, event_id, entry in entries:
            events = document.setdefault(bucket, {})
            if event_id in events:  # a re-sent event changes nothing
                continue
            document["arrivals"] += 1
            events[event_id] = {**entry, "seq": document["arrivals"]}
            changed = True
        if changed:
            document.update(derive(document))
            writes.append(ReplaceOne({"_id": entity_id}, document, upsert=True))
    if writes:
        await collection.bulk_write(writes, session=session, ordered=False)
