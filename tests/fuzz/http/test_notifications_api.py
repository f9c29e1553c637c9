"""Every route of the notifications API under schemathesis, as the admin and as a federation."""

from __future__ import annotations

import pytest

from notifications.config import NotificationsSettings
from notifications.main import create_app
from tests.fuzz.http.harness import schema_of

pytestmark = [pytest.mark.integration, pytest.mark.fuzz]

schema = schema_of(create_app(NotificationsSettings()))


@schema.parametrize()
def test_notifications_route_refuses_cleanly_and_writes_nothing_when_it_refuses(case, notifications_target):
    notifications_target.send(case)
