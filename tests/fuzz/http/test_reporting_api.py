"""Every route of the reporting API under schemathesis, as the admin and as a federation."""

from __future__ import annotations

import pytest

from reporting.config import ReportingSettings
from reporting.main import create_app
from tests.fuzz.http.harness import schema_of

pytestmark = [pytest.mark.integration, pytest.mark.fuzz]

schema = schema_of(create_app(ReportingSettings()))


@schema.parametrize()
def test_reporting_route_refuses_cleanly_and_moves_only_accepted_figures(case, reporting_target):
    reporting_target.send(case)
