"""Which subscriptions a notice goes to: pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from notifications.domain.notices import Notice, NoticeType

# Targets of the whole confederation (federation absent) are aggregates with no case detail:
# every federation's subscriptions may receive them. So may a confederation-wide plan item's
# overdue alert: the confederation's plan is every federation's work, and names no case.
_CONFEDERATION_WIDE = frozenset({NoticeType.TARGET_MILESTONE_REACHED, NoticeType.SECTOR_FALLING_BEHIND, NoticeType.PLAN_ITEM_OVERDUE})


def visible_to(owner: str | None, notice: Notice) -> bool:
    """A federation's subscription sees its own federation's notices; the admin's see all."""
    if owner is None:
        return True
    if notice.federation is None:
        return notice.notice_type in _CONFEDERATION_WIDE
    return notice.federation == owner


def matches(subscription: Mapping[str, Any], notice: Notice) -> bool:
    """Every filter that is set must hold (an empty list means "any"); all filters must hold."""
    if subscription.get("paused") or not visible_to(subscription.get("owner"), notice):
        return False
    filters = subscription.get("filters") or {}
    return (
        _allows(filters.get("event_types"), notice.notice_type.value)
        and _allows(filters.get("sectors"), notice.sector)
        and _allows(filters.get("federations"), notice.federation)
        and _allows(filters.get("categories"), notice.category)
    )


def matching(subscriptions: Iterable[Mapping[str, Any]], notice: Notice) -> list[Mapping[str, Any]]:
    return [subscription for subscription in subscriptions if matches(subscription, notice)]


def _allows(allowed: list[str] | None, value: str | None) -> bool:
    # A notice without the attribute (a milestone has no category) passes no filter on it.
    return not allowed or (value is not None and value in allowed)
