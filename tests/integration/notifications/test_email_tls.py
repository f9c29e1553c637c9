"""The e-mail channel's TLS settings against a real SMTP server that requires STARTTLS."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from contextlib import asynccontextmanager

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notifications.channels.base import DeliveryError
from notifications.channels.email import EmailSender
from notifications.config import NotificationsSettings
from tests.integration.notifications.receivers import MailBox, free_port

DELIVERY = {
    "_id": "sub-1:event-1",
    "event_id": "event-1",
    "notice": {
        "notice_type": "ViolationReported",
        "urgent": True,
        "occurred_at": "2026-03-14T09:30:00+07:00",
        "federation": "FSPMI",
        "sector": "cement",
        "category": "union_busting",
        "title": {"id": "MENDESAK: judul", "en": "URGENT: title"},
        "message": {"id": "pesan", "en": "message"},
        "facts": {"case_id": "c-1"},
    },
}
SUBSCRIPTION = {"channel": {"type": "email", "address": "hukum@kspi.example"}}


def self_signed_context(tmp_path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


class TlsMailBox(MailBox):
    async def handle_DATA(self, server, session, envelope) -> str:
        self.tls_sessions = [*getattr(self, "tls_sessions", []), session.ssl is not None]
        return await super().handle_DATA(server, session, envelope)


@asynccontextmanager
async def starttls_server(tmp_path):
    mailbox = TlsMailBox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=self_signed_context(tmp_path), require_starttls=True)
    await asyncio.to_thread(controller.start)
    try:
        yield mailbox, port
    finally:
        await asyncio.to_thread(controller.stop)


def settings(port: int, **overrides) -> NotificationsSettings:
    return NotificationsSettings(smtp_host="127.0.0.1", smtp_port=port, delivery_attempt_timeout_seconds=5, **overrides)


async def test_mail_goes_over_starttls_when_required(tmp_path):
    async with starttls_server(tmp_path) as (mailbox, port):
        await EmailSender(settings(port, smtp_start_tls=True, smtp_validate_certs=False)).send(DELIVERY, SUBSCRIPTION)
        assert mailbox.tls_sessions == [True]
        message = mailbox.messages[0]["message"]
        assert message["X-Organising-Delivery"] == "sub-1:event-1"
        assert message["Subject"] == "[MENDESAK / URGENT] MENDESAK: judul / URGENT: title"


async def test_an_untrusted_certificate_is_a_failed_attempt_when_certificates_are_validated(tmp_path):
    async with starttls_server(tmp_path) as (mailbox, port):
        with pytest.raises(DeliveryError, match="SMTP"):
            await EmailSender(settings(port, smtp_start_tls=True, smtp_validate_certs=True)).send(DELIVERY, SUBSCRIPTION)
        with pytest.raises(DeliveryError):
            # A server that requires STARTTLS refuses a client configured never to use it.
            await EmailSender(settings(port, smtp_start_tls=False)).send(DELIVERY, SUBSCRIPTION)
        assert mailbox.messages == []


async def test_an_absent_mail_server_is_a_failed_attempt():
    with pytest.raises(DeliveryError, match="SMTP"):
        await EmailSender(settings(free_port())).send(DELIVERY, SUBSCRIPTION)
