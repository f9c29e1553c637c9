"""`organising-gateway`: forward the federations' ingress topics until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import signal

from prometheus_client import start_http_server

from gateway.config import GatewaySettings
from gateway.forwarder import Forwarder
from organising_shared.logging import configure_logging


async def serve(settings: GatewaySettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await Forwarder(settings).run(stop)


def main() -> None:
    configure_logging()
    settings = GatewaySettings()
    # Prometheus' own server: the gateway has no API, only /metrics (any path answers it).
    start_http_server(settings.port, addr=settings.http_host)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
