import pytest

from reporting.config import ReportingSettings
from tests.integration.reporting.support import ADMIN_TOKEN


@pytest.fixture
def reporting_settings(isolated_settings, namespace) -> ReportingSettings:
    """The reporting service's settings in this test's namespace, with a known admin token."""
    return ReportingSettings(
        **isolated_settings.model_dump(exclude={"admin_token"}),
        admin_token=ADMIN_TOKEN,
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
    )
