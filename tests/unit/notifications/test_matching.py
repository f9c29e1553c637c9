"""Which subscriptions a notice goes to."""

from __future__ import annotations

from datetime import UTC, datetime

from notifications.domain.matching import matches
from notifications.domain.notices import Notice, NoticeType, Text


def notice(**fields) -> Notice:
    values = {
        "notice_id": "e-1",
        "notice_type": NoticeType.VIOLATION_REPORTED,
        "urgent": True,
        "occurred_at": datetime.now(UTC),
        "federation": "FSPMI",
        "sector": "cement",
        "category": "union_busting",
        "title": Text(id="t", en="t"),
        "message": Text(id="m", en="m"),
        "facts": {},
    }
    return Notice(**{**values, **fields})


def subscription(owner=None, paused=False, **filters):
    return {"_id": "s", "owner": owner, "paused": paused, "filters": filters}


def test_empty_filters_match_everything_the_owner_may_see():
    assert matches(subscription(), notice())
    assert matches(subscription(owner="FSPMI"), notice())


def test_a_federation_sees_only_its_own_federations_notices():
    assert not matches(subscription(owner="SPN"), notice())
    assert not matches(subscription(owner="SPN", federations=["FSPMI"]), notice())


def test_confederation_wide_targets_reach_every_federation_but_case_notices_without_owner_do_not():
    wide = notice(notice_type=NoticeType.SECTOR_FALLING_BEHIND, federation=None, category=None)
    assert matches(subscription(owner="SPN"), wide)
    assert not matches(subscription(owner="SPN"), notice(federation=None))


def test_every_set_filter_must_hold():
    assert matches(subscription(event_types=["ViolationReported"], sectors=["cement"], categories=["union_busting"]), notice())
    assert not matches(subscription(event_types=["ViolationCaseClosed"]), notice())
    assert not matches(subscription(sectors=["metal"]), notice())
    assert not matches(subscription(categories=["minimum_wage"]), notice())
    assert not matches(subscription(federations=["SPN"]), notice())


def test_a_category_filter_lets_nothing_without_a_category_through():
    milestone = notice(notice_type=NoticeType.TARGET_MILESTONE_REACHED, category=None)
    assert not matches(subscription(categories=["union_busting"]), milestone)
    assert matches(subscription(sectors=["cement"]), milestone)


def test_paused_subscription_matches_nothing():
    assert not matches(subscription(paused=True), notice())
