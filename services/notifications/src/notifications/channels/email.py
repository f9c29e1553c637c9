"""E-mail through SMTP with aiosmtplib: implicit TLS, STARTTLS or plain, as configured."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from notifications.channels.base import DeliveryError, payload
from notifications.config import NotificationsSettings
from notifications.domain.signing import DELIVERY_HEADER, EVENT_HEADER


def compose(delivery: Mapping[str, Any], *, sender: str, recipient: str) -> EmailMessage:
    body = payload(delivery)
    message = EmailMessage()
    prefix = "[MENDESAK / URGENT] " if body["urgent"] else ""
    message["Subject"] = f"{prefix}{body['title']['id']} / {body['title']['en']}"
    message["From"] = sender
    message["To"] = recipient
    # A stable Message-ID: a copy resent after a crash is recognisably the same message.
    digest = hashlib.sha256(delivery["_id"].encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@organising-notifications>"
    message[DELIVERY_HEADER] = delivery["_id"]
    message[EVENT_HEADER] = delivery["event_id"]
    facts = "\n".join(f"  {key}: {value}" for key, value in body["facts"].items() if value is not None)
    message.set_content(
        f"{body['message']['id']}\n\n{body['message']['en']}\n\n"
        f"Rincian / Details:\n{facts}\n\n"
        f"Jenis / Type: {body['notice_type']}\nID pengiriman / Delivery id: {delivery['_id']}\n"
    )
    return message


class EmailSender:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    async def send(self, delivery: Mapping[str, Any], subscription: Mapping[str, Any]) -> None:
        settings = self._settings
        message = compose(delivery, sender=settings.smtp_sender, recipient=subscription["channel"]["address"])
        # No username (unset or empty, as compose passes it when none is configured) means a relay
        # that takes mail without logging in: aiosmtplib would otherwise try AUTH with "".
        username = settings.smtp_username or None
        password = settings.smtp_password.get_secret_value() if username and settings.smtp_password else None
        try:
            async with asyncio.timeout(settings.delivery_attempt_timeout_seconds):
                await aiosmtplib.send(
                    message,
                    hostname=settings.smtp_host,
                    port=settings.smtp_port,
                    username=username,
                    password=password,
                    use_tls=settings.smtp_use_tls,
                    start_tls=settings.smtp_start_tls,
                    validate_certs=settings.smtp_validate_certs,
                    timeout=settings.delivery_attempt_timeout_seconds,
                )
        except TimeoutError:
            raise DeliveryError(f"the mail server gave no answer within {settings.delivery_attempt_timeout_seconds:g} s") from None
        except aiosmtplib.SMTPRecipientsRefused:
            raise DeliveryError("the mail server refused the recipient") from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {type(error).__name__}: {str(error)[:200]}") from None
