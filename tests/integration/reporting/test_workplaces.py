"""Workplaces and union density end to end (docs/contract.md, v1 additions): real broker and
store, the HTTP API, scoping, and a rebuild giving the same answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from organising_shared.auth import Role
from organising_shared.periods import jakarta_today
from reporting.projection.generations import current_generation
from reporting.projection.rebuild import rebuild
from tests.integration.helpers import eventually
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import ADMIN, applied_offsets, issue, publish, running_service

pytestmark = pytest.mark.integration


def _without_time(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "as_of"}


async def _applied(settings, count: int) -> bool:
    return await applied_offsets(settings) >= count


async def test_density_pkb_and_the_register_reordering_safe_scoped_and_rebuilt_alike(reporting_settings, infrastructure):
    expires = (jakarta_today() + timedelta(days=30)).isoformat()
    late_update = b.workplace_updated("wp-1", on="2026-06-01", workforce=200)
    early = [
        # An update that arrives before its workplace's registration waits for it.
        late_update,
        late_update,  # sent twice: applies once
        # An older update that arrives later: its women_percent applies, its workforce does not
        # (the June update is later by changed_on).
        b.workplace_updated("wp-1", on="2026-05-01", workforce=150, women_percent=40),
        # The same workplace_id in another federation is that federation's own workplace.
        b.workplace_registered("wp-1", federation="SPN", workforce=1000, cba="negotiating"),
        b.workplace_registered("wp-2", workforce=50),
        # FSPMI at wp-1: m1..m5 active, m6 left, m10's departure (dated after its recruitment)
        # arrives first; m9 moved from wp-2 to wp-1; m7 at wp-2; m8 at an unregistered workplace.
        *[b.recruited(f"m{i}", workplace="wp-1") for i in range(1, 7)],
        b.left("m6", workplace="wp-1", on="2026-04-01"),
        b.left("m10", workplace="wp-1", on="2026-05-01"),
        b.recruited("m10", workplace="wp-1", on="2026-04-01"),
        b.recruited("m9", workplace="wp-2", on="2026-02-01"),
        b.recruited("m9", workplace="wp-1", on="2026-03-01"),
        b.recruited("m7", workplace="wp-2"),
        b.recruited("m8", workplace="wp-unregistered"),
        *[b.recruited(f"s{i}", federation="SPN", workplace="wp-1") for i in range(3)],
    ]
    registration = b.workplace_registered("wp-1", workforce=100, cba="in_force", cba_expires_on=expires)
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, early)
        database = client.app.state.reporting_database
        generation = await current_generation(database)
        await eventually(lambda: generation.workplaces.find_one({"_id": "FSPMI|wp-1"}), what="the update stored before its registration")
        assert (await client.get("/api/v1/workplaces/FSPMI/wp-1", headers=ADMIN)).status_code == 404  # not registered yet
        await publish(reporting_settings, [registration, registration])
        await eventually(lambda: _applied(reporting_settings, len(early) + 2), what="every record applied")

        body = (await client.get("/api/v1/workplaces", headers=ADMIN)).json()
        rows = {(row["federation"], row["workplace_id"]): row for row in body["workplaces"]}
        assert set(rows) == {("FSPMI", "wp-1"), ("FSPMI", "wp-2"), ("SPN", "wp-1")}
        wp1 = rows[("FSPMI", "wp-1")]
        assert (wp1["workforce"], wp1["women_percent"], wp1["active_members"], wp1["density"]) == (200, 40, 6, 0.03)
        assert (wp1["cba"], wp1["cba_expires_on"], wp1["cba_expires_within_90_days"]) == ("in_force", expires, True)
        assert (rows[("FSPMI", "wp-2")]["active_members"], rows[("FSPMI", "wp-2")]["density"]) == (1, 0.02)
        assert (rows[("SPN", "wp-1")]["active_members"], rows[("SPN", "wp-1")]["density"]) == (3, 0.003)
        # m8's workplace is not registered: counted nowhere in density.
        assert body["density"]["overall"] == {"workplaces": 3, "active_members": 10, "workforce": 1250, "density": 0.008}
        assert body["density"]["by_sector"] == [
            {"sector": "metal", "workplaces": 3, "active_members": 10, "workforce": 1250, "density": 0.008}
        ]
        assert body["density"]["by_federation"] == [
            {"federation": "FSPMI", "workplaces": 2, "active_members": 7, "workforce": 250, "density": 0.028},
            {"federation": "SPN", "workplaces": 1, "active_members": 3, "workforce": 1000, "density": 0.003},
        ]
        assert body["cba"] == {"none": 1, "negotiating": 1, "in_force": 1, "expiring_within_90_days": 1}

        detail = (await client.get("/api/v1/workplaces/FSPMI/wp-1", headers=ADMIN)).json()
        assert detail["history"] == [
            {"changed_on": "2026-05-01", "workforce": 150, "women_percent": 40},
            {"changed_on": "2026-06-01", "workforce": 200},
        ]
        assert detail["active_members"] == 6

        # Scoping: a federation lists its own workplaces, reads aggregates of all, and no other's record.
        fspmi = await issue(reporting_settings, Role.FEDERATION, "FSPMI")
        own = (await client.get("/api/v1/workplaces", headers=fspmi)).json()
        assert {(row["federation"], row["workplace_id"]) for row in own["workplaces"]} == {("FSPMI", "wp-1"), ("FSPMI", "wp-2")}
        assert own["density"]["by_federation"][1] == {
            "federation": "SPN",
            "workplaces": 1,
            "active_members": None,
            "workforce": 1000,
            "density": None,
        }
        assert (await client.get("/api/v1/workplaces/SPN/wp-1", headers=fspmi)).status_code == 403
        assert (await client.get("/api/v1/workplaces/FSPMI/wp-1", headers=fspmi)).status_code == 200
        viewer = await issue(reporting_settings, Role.VIEWER)
        seen = (await client.get("/api/v1/workplaces", params={"sector": "metal"}, headers=viewer)).json()
        assert seen["workplaces"] == [] and seen["density"]["overall"]["active_members"] == 10
        assert (await client.get("/api/v1/workplaces/FSPMI/wp-1", headers=viewer)).status_code == 403
        assert (await client.get("/api/v1/workplaces/FSPMI/wp-nowhere", headers=ADMIN)).status_code == 404
        assert (await client.get("/api/v1/workplaces", params={"federation": "fspmi"}, headers=ADMIN)).status_code == 422

        live = _without_time(body)
        result = await rebuild(reporting_settings)
        assert result.generation != generation.name
        assert _without_time((await client.get("/api/v1/workplaces", headers=ADMIN)).json()) == live
        assert (await client.get("/api/v1/workplaces/FSPMI/wp-1", headers=ADMIN)).json()["history"] == detail["history"]

        # Members joining and leaving move density live, in the new generation.
        sent = await applied_offsets(reporting_settings)
        await publish(
            reporting_settings,
            [
                b.left("m2", workplace="wp-1", on="2026-06-10"),
                b.left("m3", workplace="wp-1", on="2026-06-10"),
                b.recruited("m11", workplace="wp-2"),
            ],
        )
        await eventually(lambda: _applied(reporting_settings, sent + 3), what="the joins and departures applied")
        after = {
            (row["federation"], row["workplace_id"]): row
            for row in (await client.get("/api/v1/workplaces", headers=ADMIN)).json()["workplaces"]
        }
        assert (after[("FSPMI", "wp-1")]["active_members"], after[("FSPMI", "wp-1")]["density"]) == (4, 0.02)
        assert (after[("FSPMI", "wp-2")]["active_members"], after[("FSPMI", "wp-2")]["density"]) == (2, 0.04)


async def test_invalid_workplace_events_are_dead_lettered_with_their_reason_and_the_next_is_counted(reporting_settings, infrastructure):
    from tests.integration.reporting.test_poison_messages import _letters_from

    bad = [
        b.workplace_registered("wp-bad", workforce=0),
        b.workplace_registered("wp-bad", cba="signed"),
        b.workplace_updated("wp-bad", on="2026-06-01"),  # changes nothing
        b.workplace_updated("wp-bad", on="2026-06-01", women_percent=101),
        b.workplace_updated("wp-bad", on=(jakarta_today() + timedelta(days=5)).isoformat(), workforce=10),
    ]
    good = b.workplace_registered("wp-good", workforce=10)
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, [*bad, good])
        await eventually(lambda: _applied(reporting_settings, len(bad) + 1), what="every record passed")
        letters = await _letters_from(
            infrastructure.kafka_bootstrap_servers, reporting_settings.topics.deadletter, consumer="reporting", expected=len(bad)
        )
        body = (await client.get("/api/v1/workplaces", headers=ADMIN)).json()
    reasons = sorted(letter["reason"] for letter in letters)
    assert len(reasons) == len(bad), reasons
    for field in ("data.workforce", "data.cba", "data.women_percent", "data.changed_on", "at least one of"):
        assert any(field in reason for reason in reasons), (field, reasons)
    assert [row["workplace_id"] for row in body["workplaces"]] == ["wp-good"]


async def test_the_projection_reads_what_another_instance_stored(reporting_settings, infrastructure):
    """Active members per workplace live in the generation (not only in a process's memory): a
    second service started on the same store answers the same."""
    async with running_service(reporting_settings) as client:
        await publish(reporting_settings, [b.workplace_registered("wp-9", workforce=10), b.recruited("x1", workplace="wp-9")])
        await eventually(lambda: _applied(reporting_settings, 2), what="applied")
        first = (await client.get("/api/v1/workplaces/FSPMI/wp-9", headers=ADMIN)).json()
    async with running_service(reporting_settings) as again:
        assert (await again.get("/api/v1/workplaces/FSPMI/wp-9", headers=ADMIN)).json() == first
    assert first["active_members"] == 1
