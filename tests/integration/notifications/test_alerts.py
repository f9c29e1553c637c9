"""The time-based alerts end to end: events through the real broker into the service's state,
the evaluator run with a given Jakarta day, one delivery per alert to a real HTTP receiver, none
again on a second run, after the same events are produced again or after the topics are
reprocessed from the start; a moved deadline alerts again, and the evaluator also runs by itself
after relevant events.

Dates (2026, `holidays` package): Nyepi Thursday 19 March, Idul Fitri 21-22 March, Good Friday
3 April, Labour Day 1 May, Ascension Thursday 14 May.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from notifications.alerts.evaluator import evaluate_alerts
from organising_shared.auth.principal import Role
from organising_shared.mongo import make_mongo_client
from organising_shared.projections import OFFSETS_COLLECTION
from tests.integration.helpers import as_json, eventually, produce
from tests.integration.notifications.conftest import make_settings, running_service, webhook
from tests.integration.notifications.receivers import webhook_receiver
from tests.integration.notifications.waiting import consumed, settled
from tests.unit.notifications import events

pytestmark = pytest.mark.integration

ALERT_TYPES = ["PlanItemOverdue", "CaseDeadlineNear", "CaseDeadlinePassed", "CbaExpiring"]

QUIET = date(2026, 2, 6)  # nothing has crossed a threshold yet
NEAR = date(2026, 3, 13)  # Friday: the bipartite deadline (Monday 23 March) is 5 working days away
LATE = date(2026, 4, 6)  # the deadline passed; the plan item (due 3 April) overdue; the PKB 86 days from expiry
MOVED = date(2026, 5, 13)  # mediation entered 6 April ends Wednesday 20 May: 4 working days left


@dataclass
class Clock:
    """The service's Jakarta day, set by the test."""

    today: date

    def __call__(self) -> date:
        return self.today


async def test_each_alert_is_delivered_once_and_a_moved_deadline_rearms(isolated_settings, namespace, infrastructure):
    clock = Clock(QUIET)
    bootstrap = infrastructure.kafka_bootstrap_servers
    # The evaluator's own runs are left to events and start-up here: the test runs it by hand.
    settings = make_settings(isolated_settings, namespace, alert_check_interval_seconds=3600)
    topics = settings.topics

    overdue = events.plan_item_added(due_on="2026-04-03")
    overdue_item = overdue["data"]["item_id"]
    finished = events.plan_item_added(due_on="2026-04-03")
    # Progress before its item (reordering): it applies once the item arrives, so the finished
    # item never alerts.
    plan = [
        events.plan_item_progressed(finished["data"]["item_id"], status="done", changed_on="2026-04-02"),
        events.plan_item_progressed(overdue_item, status="in_progress", changed_on="2026-03-01", note="Rapat koordinasi DPW"),
        overdue,
        finished,
    ]
    report = events.violation_reported(category="overtime", sector="metal", reported_on="2026-02-05")
    case_id = report["data"]["case_id"]
    registered = events.workplace_registered(cba_expires_on="2026-07-01")
    workplace_id = registered["data"]["workplace_id"]

    async def publish_first_events() -> None:
        await produce(bootstrap, topics.plans, [(b"metal", as_json(e)) for e in plan])
        await produce(bootstrap, topics.violations, [(b"wp-cilacap-0007", as_json(report))])
        await produce(bootstrap, topics.workplaces, [(workplace_id.encode(), as_json(registered))])

    async with webhook_receiver() as receiver:

        def alerts_at(path: str) -> list[dict]:
            return [request.json for request in receiver.at(path)]

        async with running_service(settings, today=clock) as service:
            spn = service.as_token(await service.issue_token(name="spn", role=Role.FEDERATION, federation="SPN"))
            fspmi = service.as_token(await service.issue_token(name="fspmi", role=Role.FEDERATION, federation="FSPMI"))
            await service.subscribe(webhook(receiver.url("/ok/alerts")), filters={"event_types": ALERT_TYPES})
            await service.subscribe(webhook(receiver.url("/ok/fspmi-cba")), client=fspmi, filters={"event_types": ["CbaExpiring"]})
            await service.subscribe(webhook(receiver.url("/ok/spn")), client=spn)

            await publish_first_events()
            await consumed(service.database, {topics.plans: 4, topics.violations: 1, topics.workplaces: 1})
            assert (await evaluate_alerts(service.database, today=QUIET, now=datetime.now(UTC))).raised == 0

            # Five working days before the bipartite deadline (Nyepi not counted): near. Two
            # evaluators at once (two replicas) raise it once.
            first, racing = await asyncio.gather(
                evaluate_alerts(service.database, today=NEAR, now=datetime.now(UTC)),
                evaluate_alerts(service.database, today=NEAR, now=datetime.now(UTC)),
            )
            assert (first.raised + racing.raised, first.queued + racing.queued) == (1, 1)
            assert (await evaluate_alerts(service.database, today=NEAR, now=datetime.now(UTC))).raised == 0
            await settled(service.database)
            [near] = alerts_at("/ok/alerts")
            assert near["notice_type"] == "CaseDeadlineNear"
            assert near["facts"]["case_id"] == case_id and near["facts"]["deadline"] == "2026-03-23"
            assert near["facts"]["working_days_left"] == 5

            # After the deadline and the due date, and 86 days before the PKB expires.
            second = await evaluate_alerts(service.database, today=LATE, now=datetime.now(UTC))
            assert (second.raised, second.queued) == (3, 4)  # the PKB alert goes to FSPMI's subscription too
            assert (await evaluate_alerts(service.database, today=LATE, now=datetime.now(UTC))).raised == 0
            await settled(service.database)
            by_type = sorted((alert["notice_type"], alert["facts"]["alert_key"]) for alert in alerts_at("/ok/alerts"))
            assert by_type == [
                ("CaseDeadlineNear", f"case-deadline-near|FSPMI|{case_id}|bipartite|2026-02-05"),
                ("CaseDeadlinePassed", f"case-deadline-passed|FSPMI|{case_id}|bipartite|2026-02-05"),
                ("CbaExpiring", f"cba-expiring|FSPMI|{workplace_id}|2026-07-01"),
                ("PlanItemOverdue", f"plan-overdue|{overdue_item}|2026-04-03"),
            ]
            assert [alert["facts"]["alert_key"] for alert in alerts_at("/ok/fspmi-cba")] == [
                f"cba-expiring|FSPMI|{workplace_id}|2026-07-01"
            ]
            assert alerts_at("/ok/spn") == []  # another federation's alerts are not its business
            # A subscription created after an alert was raised does not receive it.
            await service.subscribe(webhook(receiver.url("/ok/late-subscriber")), filters={"event_types": ALERT_TYPES})
            assert (await evaluate_alerts(service.database, today=LATE, now=datetime.now(UTC))).queued == 0

            # The same events produced again: nothing new.
            await publish_first_events()
            await consumed(service.database, {topics.plans: 8, topics.violations: 2, topics.workplaces: 2})
            assert (await evaluate_alerts(service.database, today=LATE, now=datetime.now(UTC))).raised == 0

        # Reprocessing every topic from the start (stored offsets gone, a new consumer group): the
        # state folds to the same, and the evaluator, which runs at start, raises nothing again.
        mongo = make_mongo_client(settings.mongodb_url)
        try:
            await mongo[settings.database][OFFSETS_COLLECTION].delete_many({"projection": "notifications"})
        finally:
            await mongo.close()
        replay = make_settings(isolated_settings, namespace, alert_check_interval_seconds=3600, consumer_group=f"{namespace}-replay")
        clock.today = LATE
        async with running_service(replay, today=clock) as service:
            await consumed(service.database, {topics.plans: 8, topics.violations: 2, topics.workplaces: 2})
            assert (await evaluate_alerts(service.database, today=LATE, now=datetime.now(UTC))).raised == 0

            # Deadlines that move: the case goes to mediation on 6 April, the PKB is extended to
            # 1 August. The service's own evaluator, woken by these events, alerts for both.
            clock.today = MOVED
            moved_on = events.case_moved(case_id, stage="mediation", changed_on="2026-04-06")
            extended = events.workplace_updated(workplace_id, changed_on="2026-04-10", cba_expires_on="2026-08-01")
            await produce(bootstrap, topics.violations, [(b"wp-cilacap-0007", as_json(moved_on))])
            await produce(bootstrap, topics.workplaces, [(workplace_id.encode(), as_json(extended))])

            async def six_alerts() -> bool:
                return len(alerts_at("/ok/alerts")) >= 6

            await eventually(six_alerts, timeout=30, what="the re-armed alerts delivered")
            assert (await evaluate_alerts(service.database, today=MOVED, now=datetime.now(UTC))).raised == 0
            await settled(service.database)

    keys = [alert["facts"]["alert_key"] for alert in alerts_at("/ok/alerts")]
    assert len(keys) == len(set(keys)) == 6
    assert f"case-deadline-near|FSPMI|{case_id}|mediation|2026-04-06" in keys
    assert f"cba-expiring|FSPMI|{workplace_id}|2026-08-01" in keys
    rearmed = next(alert for alert in alerts_at("/ok/alerts") if alert["facts"]["alert_key"].endswith("|mediation|2026-04-06"))
    assert rearmed["facts"]["deadline"] == "2026-05-20" and rearmed["facts"]["working_days_left"] == 4
    # One delivery per alert and receiver, each with its own stable id; no free text of the events.
    # The late subscriber receives only the alerts raised after it was created.
    assert sorted(alert["notice_type"] for alert in alerts_at("/ok/late-subscriber")) == ["CaseDeadlineNear", "CbaExpiring"]
    deliveries = [request.headers["x-organising-delivery"] for request in receiver.requests]
    assert len(deliveries) == len(set(deliveries)) == 10
    assert all("Rapat" not in request.body.decode() and "Pengurus" not in request.body.decode() for request in receiver.requests)
    assert finished["data"]["item_id"] not in " ".join(keys)
