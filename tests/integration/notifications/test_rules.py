"""Every rule fires for matching events and not for others, through the real broker, store,
an HTTP receiver and an SMTP server on loopback; signatures verify independently."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from notifications.stalled import raise_stalled_notices
from organising_shared.auth.principal import Role
from organising_shared.periods import jakarta_today
from tests.integration.helpers import as_json, eventually, produce, read_topic
from tests.integration.notifications.conftest import make_settings, running_service, webhook
from tests.integration.notifications.receivers import smtp_server, webhook_receiver
from tests.integration.notifications.waiting import consumed, settled
from tests.unit.notifications import events

pytestmark = pytest.mark.integration

SECRET = "rules-test-secret-0123456789abcdef"


def independently_verified(request, secret: str) -> bool:
    """A receiver's check, written from the README, not with the service's code."""
    fields = dict(part.split("=", 1) for part in request.headers["x-organising-signature"].split(","))
    signed = fields["t"].encode() + b"." + request.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and fields["t"] == request.headers["x-organising-timestamp"]


async def test_every_rule_fires_for_matching_events_only(isolated_settings, namespace, infrastructure):
    async with webhook_receiver() as receiver, smtp_server() as (mailbox, smtp_port):
        settings = make_settings(
            isolated_settings,
            namespace,
            smtp_port=smtp_port,
            smtp_start_tls=False,
            stalled_case_days=14,
            # The check is run by hand below, once every event is in: a periodic run in the middle
            # of the batch could see a case reported but not yet closed (test_stalled_check_runs_by_itself).
            stalled_check_interval_seconds=3600,
        )
        async with running_service(settings) as service:
            spn = service.as_token(await service.issue_token(name="spn", role=Role.FEDERATION, federation="SPN"))

            async def hook(path: str, client=None, **filters) -> dict:
                return await service.subscribe(webhook(receiver.url(path), SECRET), client=client, filters=filters)

            urgent = await hook("/ok/urgent", event_types=["ViolationReported"], sectors=["cement"], categories=["union_busting"])
            await hook("/ok/closed", event_types=["ViolationCaseClosed"])
            await hook("/ok/units", event_types=["UnionUnitEstablished"])
            await hook("/ok/milestones", event_types=["TargetMilestoneReached"])
            await hook("/ok/behind", event_types=["SectorFallingBehind"])
            await hook("/ok/stalled", event_types=["CaseStalled"])
            await hook("/ok/spn", client=spn)
            paused = await hook("/ok/paused")
            await service.admin.post(f"/api/v1/subscriptions/{paused['id']}/pause")
            await service.subscribe(
                {"type": "email", "address": "hukum@kspi.example"},
                filters={"event_types": ["ViolationReported"], "categories": ["union_busting"]},
            )

            busting = events.violation_reported(category="union_busting", sector="cement")
            wages = events.violation_reported(category="minimum_wage", sector="metal")
            spn_busting = events.violation_reported(federation="SPN", category="union_busting", sector="cement")
            closing = events.case_closed(busting["data"]["case_id"])
            unit = events.unit_established()
            milestone = events.milestone_reached(federation="FSPMI")
            wide_behind = events.falling_behind(federation=None)
            progressed = events.case_progressed(wages["data"]["case_id"])
            old = events.violation_reported(category="overtime", sector="metal", days_ago=20)
            moved = events.violation_reported(category="overtime", sector="metal", days_ago=20)
            moved_on = events.case_progressed(moved["data"]["case_id"], days_ago=2)
            old_closed = events.violation_reported(category="overtime", sector="metal", days_ago=20)
            old_closing = events.case_closed(old_closed["data"]["case_id"], outcome="lost")

            topics = service.settings.topics
            violations = [busting, wages, spn_busting, closing, progressed, old, moved, moved_on, old_closed, old_closing]
            membership = [unit, events.member_recruited()]
            progress = [milestone, wide_behind]
            bootstrap = infrastructure.kafka_bootstrap_servers
            # One key for the violations, so each case's events stay in order (one partition).
            await produce(bootstrap, topics.violations, [(b"wp-cilacap-0007", as_json(e)) for e in violations] + [(b"wp-x", b"{not json")])
            await produce(bootstrap, topics.membership, [(b"wp-bekasi-0042", as_json(e)) for e in membership])
            await produce(bootstrap, topics.progress, [(b"cement", as_json(e)) for e in progress])

            await consumed(service.database, {topics.violations: len(violations) + 1, topics.membership: 2, topics.progress: 2})
            check = {"stalled_days": 14, "today": jakarta_today()}
            assert await raise_stalled_notices(service.database, **check, now=datetime.now(UTC)) == 1
            # A second check of the same stall raises nothing new.
            assert await raise_stalled_notices(service.database, **check, now=datetime.now(UTC)) == 0
            await settled(service.database)

            def received(path: str) -> list[str]:
                return sorted(request.json["event_id"] for request in receiver.at(path))

            assert received("/ok/urgent") == sorted([busting["event_id"], spn_busting["event_id"]])
            assert received("/ok/closed") == sorted([closing["event_id"], old_closing["event_id"]])
            assert received("/ok/units") == [unit["event_id"]]
            assert received("/ok/milestones") == [milestone["event_id"]]
            assert received("/ok/behind") == [wide_behind["event_id"]]
            assert received("/ok/spn") == sorted([spn_busting["event_id"], wide_behind["event_id"]])
            assert received("/ok/paused") == []
            stall_notices = [request.json for request in receiver.at("/ok/stalled")]
            assert [notice["facts"]["case_id"] for notice in stall_notices] == [old["data"]["case_id"]]
            assert stall_notices[0]["notice_type"] == "CaseStalled"
            assert "belum bergerak sejak" in stall_notices[0]["message"]["id"]

        urgent_copy = next(request for request in receiver.at("/ok/urgent") if request.json["event_id"] == busting["event_id"])
        assert urgent_copy.json["urgent"] is True
        assert urgent_copy.json["title"]["id"].startswith("MENDESAK")
        assert urgent_copy.headers["x-organising-delivery"] == f"{urgent['id']}:{busting['event_id']}" == urgent_copy.json["delivery_id"]
        assert urgent_copy.headers["x-organising-event-id"] == busting["event_id"]
        assert urgent_copy.headers["content-type"].startswith("application/json")
        assert all(independently_verified(request, SECRET) for request in receiver.requests)
        assert not independently_verified(urgent_copy, "another-secret-0123456789abcdef")

        # Free text of a report (where a name could hide) reaches no receiver.
        everything = b"".join(request.body for request in receiver.requests).decode()
        assert busting["data"]["summary"] not in everything

        # E-mail: both union-busting reports, through the real SMTP server.
        assert sorted(message["message"]["X-Organising-Event-Id"] for message in mailbox.messages) == sorted(
            [busting["event_id"], spn_busting["event_id"]]
        )
        mail = mailbox.messages[0]
        assert mail["to"] == ["hukum@kspi.example"]
        assert mail["message"]["Subject"].startswith("[MENDESAK / URGENT]")
        text = mail["message"].get_content()
        assert "pekerja terdampak" in text and "workers affected" in text and busting["data"]["summary"] not in text

        letters = await read_topic(bootstrap, topics.deadletter, expected=1)
        letter = json.loads(letters[0].value)
        assert letter["consumer"] == "notifications" and "not valid JSON" in letter["reason"]
        assert base64.b64decode(letter["original_value_base64"]) == b"{not json"


async def test_stalled_check_runs_by_itself(isolated_settings, namespace, infrastructure):
    settings = make_settings(isolated_settings, namespace, stalled_case_days=7, stalled_check_interval_seconds=0.3)
    async with webhook_receiver() as receiver, running_service(settings) as service:
        await service.subscribe(webhook(receiver.url("/ok/stalled"), SECRET), filters={"event_types": ["CaseStalled"]})
        old = events.violation_reported(category="severance", days_ago=8)
        await produce(infrastructure.kafka_bootstrap_servers, settings.topics.violations, [(b"wp", as_json(old))])

        async def noticed():
            return receiver.at("/ok/stalled")

        arrived = await eventually(noticed, what="stalled notice from the periodic check")
        assert arrived[0].json["facts"] == {
            "case_id": old["data"]["case_id"],
            "region_code": "33.01",
            "stage": None,
            "last_activity_on": old["data"]["reported_on"],
            "idle_days": 8,
        }
        # Later runs of the check raise it no second time.
        assert await service.database["cases"].count_documents({"stall_noticed_for": old["data"]["reported_on"]}) == 1
        assert await raise_stalled_notices(service.database, stalled_days=7, today=jakarta_today(), now=datetime.now(UTC)) == 0
        assert await service.database["deliveries"].count_documents({}) == 1
