"""Whether one message from a federation's ingress topic may go on (pure: no I/O).

The topic an event arrives on says which federation's credential wrote it (only that
federation's credentials may write there: organising_shared.ingress). An event is forwarded only
if it could not move another federation's figures:

- it is a valid v1 event (`decode_event`, the same checks every consumer makes);
- its envelope `federation` is the topic's federation;
- it is a membership, violations, plans, activities or workplaces event: targets are set by the
  confederation, progress is computed by the platform;
- a plan item it adds is the federation's own (`data.federation` is its code): confederation-wide
  items are the confederation's to add;
- its `unit_id`, `case_id`, `item_id` or `activity_id` lies in the federation's namespace. The reporting projection keys
  union units and cases by that id alone, whoever reports them, and counts a unit or case under
  the federation of its earliest report; a federation able to name another's unit or case could
  take it over with an earlier date, or close the case.

Membership needs no such rule: members are kept per federation (`federation|member_ref`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from organising_shared.decoding import Rejection, decode_event
from organising_shared.events import Event
from organising_shared.namespaces import NAMESPACED_ID, namespace_problem
from organising_shared.topics import ACTIVITIES, MEMBERSHIP, PLANS, TOPIC_OF_EVENT_TYPE, VIOLATIONS, WORKPLACES

ACCEPTED_TOPICS = (MEMBERSHIP, VIOLATIONS, PLANS, ACTIVITIES, WORKPLACES)


@dataclass(frozen=True)
class Refused:
    reason: str
    kind: str  # `invalid` (not a valid v1 event) or `refused` (valid, but not this federation's to say)


def admit(raw: bytes | None, *, federation: str, publishers: Collection[str], programmes: Collection[str] | None = None) -> Event | Refused:
    """The event, when `federation`'s ingress may carry it; else why not."""
    decoded = decode_event(raw, federations=publishers, programmes=programmes)
    if isinstance(decoded, Rejection):
        return Refused(decoded.reason, "invalid")
    event = decoded
    if event.federation != federation:
        return Refused(f"envelope federation {event.federation} does not match the credential's federation {federation}", "refused")
    if TOPIC_OF_EVENT_TYPE[event.event_type] not in ACCEPTED_TOPICS:
        return Refused(
            f"{event.event_type} is not accepted from a federation: only the events of {', '.join(ACCEPTED_TOPICS)} are "
            "(targets are set by the confederation, progress is computed by the platform)",
            "refused",
        )
    if event.event_type == "ActionPlanItemAdded" and event.data.federation != federation:
        return Refused(
            "data.federation must be the credential's federation: confederation-wide plan items are the confederation's to add", "refused"
        )
    for field in NAMESPACED_ID:
        value = getattr(event.data, field, None)
        if value is not None and (problem := namespace_problem(field, value, federation=federation, codes=publishers)):
            return Refused(f"data.{field} {problem}", "refused")
    return event
