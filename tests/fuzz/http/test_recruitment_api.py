"""Every route of the recruitment API under schemathesis, as the admin and as a federation."""

from __future__ import annotations

import pytest

from recruitment.config import RecruitmentSettings
from recruitment.main import create_app
from tests.fuzz.http.harness import schema_of

pytestmark = [pytest.mark.integration, pytest.mark.fuzz]

schema = schema_of(create_app(RecruitmentSettings()))


@schema.parametrize()
def test_recruitment_route_refuses_cleanly_and_writes_nothing_when_it_refuses(case, recruitment_target):
    recruitment_target.send(case)
