"""The SSRF guard: a webhook may not point into the service's own network unless allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

_RESOLVE_TIMEOUT = 5.0


def address_problem(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "is a loopback address"
    if ip.is_link_local:
        return "is a link-local address"
    if ip.is_private:
        return "is a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "is not a public address"
    return None


async def webhook_target_problem(url: str, *, allow_private: bool) -> str | None:
    """Why the service must not POST to `url`, or None. Resolves the host name (every address)."""
    host = urlsplit(url).hostname
    if not host:
        return "the URL has no host"
    if allow_private:
        return None
    try:
        async with asyncio.timeout(_RESOLVE_TIMEOUT):
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        # The host is not repeated: reasons never hold what was submitted.
        return "the URL's host does not resolve"
    for info in infos:
        address = str(info[4][0])
        problem = address_problem(address)
        if problem:
            return f"the URL's host resolves to {address}, which {problem}; webhooks must reach a public address"
    return None
