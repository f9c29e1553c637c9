"""SMTP login is optional: no username (unset or empty) sends without AUTH."""

from __future__ import annotations

import pytest

from notifications.channels.base import DeliveryError
from notifications.channels.email import EmailSender
from notifications.config import NotificationsSettings
from tests.integration.notifications.receivers import smtp_server
from tests.integration.notifications.test_email_tls import DELIVERY, SUBSCRIPTION


def settings(port: int, **overrides) -> NotificationsSettings:
    return NotificationsSettings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_start_tls=False, delivery_attempt_timeout_seconds=5, **overrides
    )


@pytest.mark.parametrize("username", [None, ""])
async def test_mail_is_sent_without_login_when_no_username_is_set(username):
    # The server offers no AUTH: any login attempt would fail the delivery.
    async with smtp_server() as (mailbox, port):
        await EmailSender(settings(port, smtp_username=username, smtp_password="")).send(DELIVERY, SUBSCRIPTION)
    assert [message["to"] for message in mailbox.messages] == [["hukum@kspi.example"]]


async def test_a_username_makes_the_sender_log_in():
    async with smtp_server() as (mailbox, port):
        with pytest.raises(DeliveryError, match="SMTP"):
            await EmailSender(settings(port, smtp_username="relay-user", smtp_password="pw")).send(DELIVERY, SUBSCRIPTION)
    assert mailbox.messages == []
