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
    prefix: str = ""

    @classmethod
    def with_prefix(cls, prefix: str) -> Topics:
        return cls(
            membership=prefix + MEMBERSHIP,
            violations=prefix + VIOLATIONS,
            targets=prefix + TARGETS,
            progress=prefix + PROGRESS,
            deadletter=prefix + DEADLETTER,
            prefix=prefix,
        )

    def all(self) -> tuple[str, ...]:
        return astuple(self)[:-1]

    def for_event_type(self, event_type: str) -> str:
        return self.prefix + TOPIC_OF_EVENT_TYPE[event_type]

    def contract_name(self, topic: str) -> str:
        """The contract's name for one of these topics (what `decode_event(topic=…)` expects)."""
        return topic.removeprefix(self.prefix)


def message_key(event: Any, *, workplace_id: str | None = None) -> bytes:
    """docs/contract.md: the `workplace_id` for workplace events, the `sector` for target and progress.

    Case progress and closure carry no workplace in their data; the caller that knows the case's
    workplace passes it, so every event of one workplace stays in one partition, in order.
    """
    data = event.data
    key = getattr(data, "workplace_id", None) or workplace_id
    if key is None and TOPIC_OF_EVENT_TYPE[event.event_type] in (TARGETS, PROGRESS):
        key = str(data.sector)
    if key is None:
        raise ValueError(f"{event.event_type} needs the case's workplace_id as its key")
    return key.encode()
