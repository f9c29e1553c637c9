"""How hard the fuzz suite tries: the `ci` profile in `make test`, `long` in `make fuzz`.

`FUZZ_PROFILE` picks the profile (`ci` unless set); `FUZZ_EXAMPLES` overrides the number of
examples either profile generates per property (and per HTTP operation). Both profiles are
derandomised, so a failure found once is found again on the next run with the same code:
`long` differs only in how many examples it tries.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    raise ValueError(f"FUZZ_PROFILE must be ci or long, not {PROFILE!r}")

_DEFAULT_EXAMPLES = {"ci": 15, "long": 150}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", _DEFAULT_EXAMPLES[PROFILE]))

# Records published onto the consumed topics in the integration run.
_DEFAULT_RECORDS = {"ci": 240, "long": 1500}
RECORDS = int(os.environ.get("FUZZ_RECORDS", _DEFAULT_RECORDS[PROFILE]))

# Unit-level properties are cheap (a millisecond or so per example): four times the budget, for
# each event type and each kind of mutation.
UNIT_EXAMPLES = EXAMPLES * 4

# The fixtures here start real services and brokers: slow on purpose, and the test functions
# are not re-entered per example, so function-scoped fixtures are shared on purpose too.
SLOW_FIXTURES = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.filter_too_much]

unit_settings = settings(max_examples=UNIT_EXAMPLES, derandomize=True, deadline=None, database=None, suppress_health_check=SLOW_FIXTURES)
