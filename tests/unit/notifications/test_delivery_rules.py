"""Backoff, signatures and the SSRF guard."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from notifications.domain.addresses import address_problem, webhook_target_problem
from notifications.domain.backoff import retry_delay
from notifications.domain.signing import signature, verify


def test_backoff_grows_exponentially_within_jitter_and_is_capped():
    rng = random.Random(7)
    for attempts, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        delays = [retry_delay(attempts, base=2.0, cap=60.0, rng=rng) for _ in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert max(delays) - min(delays) > ceiling / 10  # jittered, not a fixed delay


def test_signature_matches_an_independent_hmac_and_verifies():
    body = b'{"a":1}'
    header = signature("s3cret-s3cret-s3cret", 1_700_000_000, body)
    expected = hmac.new(b"s3cret-s3cret-s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify("s3cret-s3cret-s3cret", header, body, now=1_700_000_010)


@pytest.mark.parametrize(
    ("secret", "body", "now"),
    [
        ("wrong-secret-wrong", b'{"a":1}', 1_700_000_010),
        ("s3cret-s3cret-s3cret", b'{"a":2}', 1_700_000_010),
        ("s3cret-s3cret-s3cret", b'{"a":1}', 1_700_001_000),
    ],
)
def test_signature_refuses_wrong_secret_tampered_body_and_old_timestamp(secret, body, now):
    header = signature("s3cret-s3cret-s3cret", 1_700_000_000, b'{"a":1}')
    assert not verify(secret, header, body, now=now)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "172.16.5.4",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
    ],
)
def test_internal_addresses_are_refused(address):
    assert address_problem(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "203.0.114.1"])
def test_public_addresses_pass(address):
    assert address_problem(address) is None


async def test_webhook_to_loopback_is_refused_unless_allowed():
    problem = await webhook_target_problem("http://127.0.0.1:9/hook", allow_private=False)
    assert "loopback" in problem
    by_name = await webhook_target_problem("http://localhost:9/hook", allow_private=False)
    # The reason says what the host resolves to, never the submitted host itself.
    assert "loopback" in by_name and "localhost" not in by_name
    assert await webhook_target_problem("http://127.0.0.1:9/hook", allow_private=True) is None
