"""Topic names of the v1 contract, which event goes where, and with which key.

Services reach topics through a `Topics` value built from settings: in production its names are
exactly the contract's; a prefix (ORGANISING_TOPIC_PREFIX) gives a test or a staging tenant its
own namespace on a shared broker without touching the contract names.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

MEMBERSHIP = "organising.membership.v1"
VIOLATIONS = "organising.violations.v1"
TARGETS = "organising.targets.v1"
PROGRESS = "organising.progress.v1"
DEADLETTER = "organising.deadletter.v1"
# v1 additions (docs/contract.md): new event types on new topics, so that consumers of the
# topics above never meet an event type they do not know.
PLANS = "organising.plans.v1"
ACTIVITIES = "organising.activities.v1"
WORKPLACES = "organising.workplaces.v1"

TOPIC_OF_EVENT_TYPE: dict[str, str] = {
    "MemberRecruited": MEMBERSHIP,
    "MemberLeft": MEMBERSHIP,
    "UnionUnitEstablished": MEMBERSHIP,
    "ViolationReported": VIOLATIONS,
    "ViolationCaseProgressed": VIOLATIONS,
    "ViolationCaseClosed": VIOLATIONS,
    "SectorTargetSet": TARGETS,
    "TargetMilestoneReached": PROGRESS,
    "SectorFallingBehind": PROGRESS,
    "ActionPlanItemAdded": PLANS,
    "ActionPlanItemProgressed": PLANS,
    "ActivityHeld": ACTIVITIES,
    "WorkplaceRegistered": WORKPLACES,
    "WorkplaceUpdated": WORKPLACES,
}

# Kafka keeps the organising record forever: projections are rebuilt by replaying it.
KEEP_FOREVER = {"retention.ms": "-1"}


@dataclass(frozen=True)
class Topics:
    membership: str = MEMBERSHIP
    violations: str = VIOLATIONS
    targets: str = TARGETS
    progress: str = PROGRESS
    deadletter: str = DEADLETTER
    plans: str = PLANS
    activities: str = ACTIVITIES
    workplaces: str = WORKPLACES
    prefix: str = ""

    @classmethod
    def with_prefix(cls, prefix: str) -> Topics:
        return cls(
            membership=prefix + MEMBERSHIP,
            violations=prefix + VIOLATIONS,
            targets=prefix + TARGETS,
            progress=prefix + PROGRESS,
            deadletter=prefix + DEADLETTER,
            plans=prefix + PLANS,
            activities=prefix + ACTIVITIES,
            workplaces=prefix + WORKPLACES,
            prefix=prefix,
        )

    def all(self) -> tuple[str, ...]:
        return astuple(self)[:-1]

    def for_event_type(self, event_type: str) -> str:
        return self.prefix + TOPIC_OF_EVENT_TYPE[event_type]

    def contract_name(self, topic: str) -> str:
        """The contract's name for one of these topics (what `decode_event(topic=…)` expects)."""
        return topic.removeprefix(self.prefix)


def message_key(event: Any, *, workplace_id: str | None = None, sector: str | None = None) -> bytes:
    """docs/contract.md: the `workplace_id` for workplace events, the `sector` for target, progress and
    plan events, the envelope's `federation` for activities.

    Case progress and closure carry no workplace in their data, nor a plan item's progress its
    sector; the caller that knows them passes them, so every event of one workplace (one sector's
    plan) stays in one partition, in order.
    """
    data = event.data
    topic = TOPIC_OF_EVENT_TYPE[event.event_type]
    if topic == ACTIVITIES:
        key = event.federation
    elif topic in (TARGETS, PROGRESS, PLANS):
        key = str(getattr(data, "sector", None) or sector or "") or None
    else:
        key = getattr(data, "workplace_id", None) or workplace_id
    if key is None:
        needs = "sector" if topic == PLANS else "workplace_id"
        raise ValueError(f"{event.event_type} needs the {needs} of what it changes as its key")
    return str(key).encode()
