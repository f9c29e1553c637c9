"""One service under the fuzzer: its real app (real store, real broker), the schema schemathesis
loaded from the app's own OpenAPI document, who calls it, and what each exchange left behind.

The schema is read from the app at collection (no lifespan needed for `app.openapi()`), and each
operation becomes a test of its own (`schema.parametrize()`). Not `schemathesis.pytest.from_fixture`:
with the locked pytest 9.2 it fails before running anything (it sets `Function._nodeid`, which
pytest 9 no longer has). The app itself runs in schemathesis' ASGI event loop thread
(`schemathesis.python.asgi`), started once per test module and stopped by `stop_apps()`, so its
store and Kafka clients live in the loop that serves its requests. The test thread reads the
store and Kafka with clients of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi

from tests.fuzz.budget import EXAMPLES
from tests.fuzz.http.checks import no_echoed_value, no_stack_trace
from tests.fuzz.http.probes import Probe
from tests.fuzz.http.refine import refined

CHECKS = [not_a_server_error, no_stack_trace, no_echoed_value]
SEED = 20261128


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["all"],
            # SSE routes (GET /api/v1/live) stream for ever: the first event is enough.
            "max-stream-events": 1,
            "request-timeout": 15,
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,  # same inputs every run: no flaky CI, a failure comes back
                "database": "none",
                # Callers are chosen below, not fuzzed: every case is sent as each of them.
                "with-security-parameters": False,
            },
            # Each operation on its own: the probes check every request where it is sent.
            "phases": {"stateful": {"enabled": False}},
        }
    )


@dataclass(frozen=True)
class Caller:
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Exchange:
    """One request the fuzzer sent and what came back."""

    caller: str
    method: str
    path: str  # the template, e.g. /api/v1/targets/{period}/{sector}
    path_parameters: dict[str, Any]
    query: dict[str, Any]
    body: Any
    status: int
    answer: Any  # the JSON body, or None


AcceptedCheck = Callable[[Any, Exchange], None]


@dataclass
class FuzzTarget:
    """`probes` must not change across a refused write; `on_accepted` checks what an accepted one
    left visible (e.g. the figures it moved)."""

    app: Any
    callers: list[Caller]
    probes: list[Probe] = field(default_factory=list)
    on_accepted: dict[tuple[str, str], AcceptedCheck] = field(default_factory=dict)

    def send(self, case: Any) -> None:
        """Send the case as every caller and check each answer."""
        for caller in self.callers:
            writes = case.method.upper() != "GET"
            before = self._snapshots() if writes else None
            response = case.call(app=self.app, headers=caller.headers)
            exchange = Exchange(
                caller=caller.name,
                method=case.method.upper(),
                path=case.path,
                path_parameters=dict(case.path_parameters or {}),
                query=dict(case.query or {}),
                body=case.body,
                status=response.status_code,
                answer=_json_or_none(response.content),
            )
            case.validate_response(response, checks=CHECKS)
            if writes and 400 <= response.status_code < 500:
                after = self._snapshots()
                changed = [name for name in before if before[name] != after[name]]
                assert not changed, f"{caller.name}: refused with {response.status_code}, yet changed {changed}"
            check = self.on_accepted.get((exchange.method, exchange.path))
            if check is not None and 200 <= response.status_code < 300:
                check(caller, exchange)

    def _snapshots(self) -> dict[str, Any]:
        return {probe.name: probe.snapshot() for probe in self.probes}


def schema_of(app: Any) -> Any:
    """The app's own OpenAPI document, read without starting it (tests are made at collection)."""
    return schemathesis.openapi.from_dict(refined(app.openapi()), config=fuzz_config())


def start_app(app: Any) -> None:
    """Run the app's lifespan in schemathesis' ASGI loop (it stays up until `stop_apps`)."""
    with asgi.get_client(app):
        pass


def stop_apps() -> None:
    """End the lifespans started in schemathesis' ASGI loop (consumers, relays, clients)."""
    asgi.shutdown_lifespans()


def client(app: Any) -> Any:
    """A requests session onto the running app, for the accounting done besides the fuzzing."""
    return asgi.get_client(app)


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
