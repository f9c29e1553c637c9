"""Webhooks: a signed JSON POST; any 2xx answer is success, everything else a failed attempt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx

from notifications.channels.base import DeliveryError, payload_bytes
from notifications.domain.addresses import webhook_target_problem
from notifications.domain.secrets import SecretBox
from notifications.domain.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

_MAX_ANSWER_BYTES = 64 * 1024


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, *, timeout: float, allow_private: bool, secrets: SecretBox) -> None:
        self._client = client
        self._secrets = secrets
        self._timeout = timeout
        self._allow_private = allow_private

    async def send(self, delivery: Mapping[str, Any], subscription: Mapping[str, Any]) -> None:
        channel = subscription["channel"]
        # Checked again at send time: a name that resolved to a public address may not any more.
        problem = await webhook_target_problem(channel["url"], allow_private=self._allow_private)
        if problem:
            raise DeliveryError(f"refused: {problem}")
        try:
            secret = self._secrets.open(channel)
        except LookupError as error:
            raise DeliveryError(str(error)) from None
        body = payload_bytes(delivery)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "organising-notifications/1",
            DELIVERY_HEADER: delivery["_id"],
            EVENT_HEADER: delivery["event_id"],
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, body),
        }
        try:
            # One deadline for the whole exchange: httpx's own timeouts are per read, and a
            # receiver that drips one byte a second would never trip them.
            async with asyncio.timeout(self._timeout):
                status = await self._post(channel["url"], body, headers)
        except TimeoutError:
            raise DeliveryError(f"no complete answer within {self._timeout:g} s") from None
        except (httpx.ProtocolError, httpx.DecodingError) as error:
            # Not echoing the answer: whatever the receiver sent stays out of the delivery log.
            raise DeliveryError(f"the answer is not valid HTTP ({type(error).__name__})") from None
        except httpx.HTTPError as error:
            raise DeliveryError(f"{type(error).__name__}: {str(error)[:200] or 'connection failed'}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"the receiver answered HTTP {status}")

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        async with self._client.stream("POST", url, content=body, headers=headers) as response:
            # The answer is read (up to a bound) so that success means a complete answer.
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > _MAX_ANSWER_BYTES:
                    break
            return response.status_code


def make_http_client() -> httpx.AsyncClient:
    # No redirects (a 3xx could point past the SSRF guard); no proxies from the environment.
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=None, limits=httpx.Limits(max_connections=None))
