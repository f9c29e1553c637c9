"""GET /api/v1/pace end to end: the per-day counters the projection keeps for the three target
metrics (exactly once, in any order), their cumulative line against the expected pace, and a
rebuild that writes the same per-day counters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from organising_shared.periods import jakarta_today, periods_containing
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, counters, publish, running_service

pytestmark = pytest.mark.integration

# 2026-S1 has 181 days: a target of 181 expects exactly one more each day.
S1_DAYS = 181


def scenario() -> tuple[list[dict], list[dict]]:
    """(events, events sent only once the first part is applied)."""
    resent = b.recruited("m2", on="2026-01-10", federation="SPN", workplace="wp-spn")
    first = [
        b.recruited("m1", on="2026-01-10"),
        b.recruited("m1", on="2026-02-01"),  # already active: does not count
        b.left("m1", on="2026-03-01"),
        b.recruited("m1", on="2026-03-15"),  # back after leaving: counts again, on its own day
        resent,
        resent,
        resent,
        b.recruited("m9", on="2026-07-02"),  # the next semester
        # The later report of the same unit arrives first: the earliest founding day counts.
        b.unit_established("u1", on="2026-02-21"),
        b.unit_established("u1", on="2026-02-20"),
        # c1: reported in January, resolved on its first closure (30 April), not on the second.
        b.violation_reported("c1", on="2026-01-05"),
        b.case_closed("c1", "won", on="2026-04-30"),
        b.case_closed("c1", "settled", on="2026-06-01"),
        # c2 (SPN): its closure arrives before its report, and counts once the report is there.
        b.case_closed("c2", "partially_won", on="2026-05-15", federation="SPN"),
        # c3: lost, so closed but not resolved.
        b.violation_reported("c3", on="2026-01-06"),
        b.case_closed("c3", "lost", on="2026-02-02", recovered=0),
    ]
    later = [b.violation_reported("c2", on="2026-04-01", federation="SPN", workplace="wp-spn")]
    return first, later


def counted_days(metric: dict) -> dict[str, int]:
    """Each day on which the cumulative actual grew, and by how much."""
    grew, before = {}, 0
    for row in metric["days"]:
        if row["actual"] is not None and row["actual"] != before:
            grew[row["day"]] = row["actual"] - before
            before = row["actual"]
    return grew


async def test_pace_is_the_cumulative_daily_count_against_the_expected_line_and_a_rebuild_keeps_it(reporting_settings, infrastructure):
    first, later = scenario()
    async with running_service(reporting_settings) as client:
        for federation, members in ((None, S1_DAYS), ("FSPMI", 10)):
            body = {"members_recruited": members, "union_units_established": 4, "cases_resolved": 2} | (
                {"federation": federation} if federation else {}
            )
            response = await client.put("/api/v1/targets/2026-S1/metal", json=body, headers=ADMIN)
            assert response.status_code == 200, response.text
        await publish(reporting_settings, first)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 2 + len(first)), what="the first events applied")
        await publish(reporting_settings, later)
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 2 + len(first) + len(later)), what="every event applied")

        everyone = (await client.get("/api/v1/pace", params={"period": "2026-S1", "sector": "metal"}, headers=ADMIN)).json()
        fspmi = (
            await client.get("/api/v1/pace", params={"period": "2026-S1", "sector": "metal", "federation": "FSPMI"}, headers=ADMIN)
        ).json()
        assert (everyone["start"], everyone["end"], everyone["federation"], fspmi["federation"]) == (
            "2026-01-01",
            "2026-06-30",
            None,
            "FSPMI",
        )
        members = everyone["metrics"]["members_recruited"]
        assert len(members["days"]) == S1_DAYS and members["target"] == S1_DAYS
        assert counted_days(members) == {"2026-01-10": 2, "2026-03-15": 1}
        assert counted_days(fspmi["metrics"]["members_recruited"]) == {"2026-01-10": 1, "2026-03-15": 1}
        assert counted_days(everyone["metrics"]["union_units_established"]) == {"2026-02-20": 1}
        assert counted_days(everyone["metrics"]["cases_resolved"]) == {"2026-04-30": 1, "2026-05-15": 1}
        assert counted_days(fspmi["metrics"]["cases_resolved"]) == {"2026-04-30": 1}
        # The contract's expected_to_date on each day: 181 × day ÷ 181, and 10 × day ÷ 181 rounded down.
        assert [row["expected"] for row in members["days"]] == list(range(1, S1_DAYS + 1))
        fspmi_expected = [row["expected"] for row in fspmi["metrics"]["members_recruited"]["days"]]
        assert fspmi_expected[0] == 0 and fspmi_expected[18] == 1 and fspmi_expected[-1] == 10
        assert fspmi_expected == sorted(fspmi_expected)
        # The semester is over, so every day has its actual, and the last one is the target's actual.
        targets = (await client.get("/api/v1/targets", params={"period": "2026-S1"}, headers=ADMIN)).json()
        for entry, pace in ((targets["sectors"][0], everyone), (targets["sectors"][1], fspmi)):
            for metric, figures in entry["metrics"].items():
                assert pace["metrics"][metric]["days"][-1]["actual"] == figures["actual"], metric

        # The per-day counters are counter fields like any other: a rebuild writes the same ones.
        live = await counters(reporting_settings)
        assert live["2026-S1|metal|FSPMI"]["daily"]["members_recruited"] == {"2026-01-10": 1, "2026-03-15": 1}
        assert live["2026-S2|metal|FSPMI"]["daily"]["members_recruited"] == {"2026-07-02": 1}
        result = await rebuild(reporting_settings)
        assert await counters(reporting_settings, result.generation) == live
        again = (await client.get("/api/v1/pace", params={"period": "2026-S1", "sector": "metal"}, headers=ADMIN)).json()
        assert again["metrics"] == everyone["metrics"]


async def test_pace_of_the_running_period_stops_at_today_and_refuses_bad_queries(reporting_settings, infrastructure):
    today = jakarta_today()
    period = next(p for p in periods_containing(today) if "-S" in p.code)
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, [b.recruited("t1", on=today.isoformat(), sector="cement", workplace="wp-c")])
        await eventually(lambda: _at_least(applied_offsets(reporting_settings), 1), what="the recruitment applied")
        response = await client.get("/api/v1/pace", params={"period": period.code, "sector": "cement"}, headers=ADMIN)
        assert response.status_code == 200, response.text
        days = response.json()["metrics"]["members_recruited"]["days"]
        by_day = {row["day"]: row for row in days}
        assert by_day[today.isoformat()]["actual"] == 1
        if today > period.start:
            assert by_day[(today - timedelta(days=1)).isoformat()]["actual"] == 0
        assert all(row["actual"] is None for row in days if row["day"] > today.isoformat())
        assert all(row["expected"] is None for row in days)  # no target set

        for params in (
            {"period": period.code},
            {"period": "2026-S3", "sector": "metal"},
            {"period": period.code, "sector": "metal", "federation": "NOPE"},
        ):
            refused = await client.get("/api/v1/pace", params=params, headers=ADMIN)
            assert refused.status_code == 422, params
            assert refused.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/api/v1/pace", params={"period": period.code, "sector": "metal"})).status_code == 401


async def _at_least(value, expected):
    return await value >= expected
