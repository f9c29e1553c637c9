"""The reporting figures an accepted target write must show at once (PUT writes through)."""

from __future__ import annotations

from tests.fuzz.http.harness import Caller, Exchange, FuzzTarget, client

METRICS = ("members_recruited", "union_units_established", "cases_resolved")


class TargetFigures:
    def __init__(self, target: FuzzTarget) -> None:
        self._target = target

    def shows_accepted_target(self, caller: Caller, exchange: Exchange) -> None:
        stored = exchange.answer
        sent = exchange.body
        assert {name: stored[name] for name in METRICS} == {name: sent[name] for name in METRICS}, (stored, sent)
        with client(self._target.app) as http:
            response = http.get("/api/v1/targets", params={"period": stored["period"]}, headers=caller.headers)
        assert response.status_code == 200, response.text
        rows = [row for row in response.json()["sectors"] if (row["sector"], row["federation"]) == (stored["sector"], stored["federation"])]
        assert len(rows) == 1, f"GET /api/v1/targets?period={stored['period']} has {len(rows)} rows for the target just set"
        shown = {name: rows[0]["metrics"][name]["target"] for name in METRICS}
        assert shown == {name: sent[name] for name in METRICS}, f"the figures show {shown} after {sent} was accepted"
