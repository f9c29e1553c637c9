"""`organising-devstack run`: Kafka, the store and the three services on loopback (what `make run` does).

Data lives in var/ of the checkout (or --data), so a restart keeps members, targets and offsets.
A service that exits (killed, crashed) is started again after a back-off while the others keep
running (`supervisor`); one that exits more than --max-restarts times within --restart-window
seconds stops the stack. Ctrl-C or SIGTERM stops the services first, then the broker and the
store, and leaves nothing behind.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from organising_shared.devstack.kafka_node import KafkaNode
from organising_shared.devstack.paths import repo_root
from organising_shared.devstack.processes import port_open, spawn, stop, wait_until
from organising_shared.devstack.store_node import StoreNode
from organising_shared.devstack.supervisor import RestartPolicy, SupervisedService

SERVICES = (("recruitment", 8001), ("reporting", 8002), ("notifications", 8003), ("gateway", 8004))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="organising-devstack", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--data", type=Path, help="data folder (default: var/ in the checkout)")
    parser.add_argument("--kafka-port", type=int, default=_port_from_env("KAFKA_BOOTSTRAP_SERVERS", 9092))
    parser.add_argument("--store-port", type=int, default=_port_from_env("MONGODB_URL", 27017))
    parser.add_argument("--federation-port", type=int, help="Kafka's TLS + SCRAM listener for federations (default: Kafka's port + 2)")
    for name, port in SERVICES:
        parser.add_argument(f"--{name}-port", type=int, default=port)
    parser.add_argument(
        "--max-restarts", type=int, default=RestartPolicy.max_restarts, help="restarts of one service allowed within the window"
    )
    parser.add_argument(
        "--restart-window", type=float, default=RestartPolicy.window_seconds, help="seconds over which restarts are counted"
    )
    return parser


def _port_from_env(variable: str, default: int) -> int:
    value = os.environ.get(variable, "")
    tail = value.rsplit(":", 1)[-1].split("/", 1)[0] if ":" in value else ""
    return int(tail) if tail.isdigit() else default


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def run(args: argparse.Namespace) -> int:
    data = (args.data or repo_root() / "var").resolve()
    ports = {name: getattr(args, f"{name}_port") for name, _ in SERVICES}
    federation_port = args.federation_port or args.kafka_port + 2
    kafka_ports = ((args.kafka_port, "Kafka"), (federation_port, "Kafka's federation listener"))
    for port, what in (*kafka_ports, (args.store_port, "the store"), *((p, n) for n, p in ports.items())):
        if port_open(port):
            print(f"port {port} for {what} is taken: stop what uses it, or choose another port", file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    kafka = KafkaNode(data / "kafka", port=args.kafka_port, controller_port=args.kafka_port + 1, federation_port=federation_port)
    store = StoreNode(data / "store", port=args.store_port)
    policy = RestartPolicy(max_restarts=args.max_restarts, window_seconds=args.restart_window)
    services: list[SupervisedService] = []
    try:
        kafka.launch()
        store.launch()
        store.wait_ready()
        kafka.wait_ready()
        # Text logs for a terminal (the services default to JSON, for log collectors).
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "MONGODB_URL": store.url,
            "ORGANISING_LOG_FORMAT": os.environ.get("ORGANISING_LOG_FORMAT", "text"),
            # The organisers' app (recruitment) reads reporting from the browser, on whatever ports these are.
            "ORGANISING_REPORTING_URL": f"http://127.0.0.1:{ports['reporting']}",
            "ORGANISING_CORS_ORIGINS": f"http://127.0.0.1:{ports['recruitment']},http://localhost:{ports['recruitment']}",
        }
        for name, port in ports.items():
            service = SupervisedService(
                name,
                start=_starter(name, port, env, data / "logs" / f"{name}.log"),
                policy=policy,
                healthy=functools.partial(_healthy, port),
                say=_say,
            )
            service.launch()
            services.append(service)
        for service, port in zip(services, ports.values(), strict=True):
            wait_until(
                functools.partial(_healthy, port),
                timeout=60,
                what=service.name,
                process=service.process,
                log_path=data / "logs" / f"{service.name}.log",
            )
        print(f"Kafka {kafka.version}   {kafka.bootstrap_servers}   (plaintext, loopback: internal)")
        ca = kafka.tls.ca_path if kafka.tls else "?"
        print(f"Kafka for federations {kafka.federation_bootstrap_servers}   (TLS + SASL SCRAM-SHA-512, CA {ca})")
        print(f"store (SecantusDB)  {store.url}")
        for service, port in zip(services, ports.values(), strict=True):
            pid = service.process.pid if service.process else "-"
            what = "metrics: /metrics" if service.name == "gateway" else "docs: /docs"
            print(f"{service.name:<13}       http://127.0.0.1:{port}   ({what}, pid {pid})")
        print(f"dashboard           http://127.0.0.1:{ports['reporting']}/dashboard")
        print(f"organisers' app     http://127.0.0.1:{ports['recruitment']}/app/")
        print(f"logs and data in {data}. Ctrl-C stops everything.", flush=True)
        while not any(service.given_up for service in services):
            for service in services:
                service.check()
            time.sleep(0.5)
        failed = [service.name for service in services if service.given_up]
        print(f"stopped: {', '.join(failed)} kept exiting; see {data / 'logs'}", file=sys.stderr)
        return 1
    except _Stop:
        print("stopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for service in services:
            stop(service.process)
        kafka.stop()
        store.stop()


def _starter(name: str, port: int, env: dict[str, str], log: Path) -> Callable[[], subprocess.Popen]:
    def start() -> subprocess.Popen:
        return spawn([sys.executable, "-m", f"{name}.main"], log_path=log, env={**env, "ORGANISING_PORT": str(port)})

    return start


def _say(line: str) -> None:
    # The launcher's output is the stack's log: a restart must be visible there, with its time.
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    return run(_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
