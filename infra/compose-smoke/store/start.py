"""The smoke check's store: SecantusDB with the users MongoDB gets in docker-compose.yml.

    start.py --port PORT [secantusd-py options...]

What the official mongo image's entrypoint does on its first start (an empty /data/db), done for
SecantusDB, which keeps users and roles and checks them (`--auth`: SCRAM-SHA-256, built-in roles)
but runs no mongosh scripts: start the store without authentication on a loopback port of its
own, create the root user (MONGO_INITDB_ROOT_USERNAME, MONGO_INITDB_ROOT_PASSWORD_FILE) and every
user of /docker-entrypoint-initdb.d/service-users.json (the file 10-service-users.js reads, with
the same passwords from /run/secrets), stop it, and mark the data folder. Every start then runs
the store with `--auth` on PORT. The healthcheck waits for the mark, so no service connects
before the users exist.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymongo

DATA = Path("/data/db")
MARK = DATA / ".organising-users"
USERS = Path("/docker-entrypoint-initdb.d/service-users.json")
DEADLINE_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _secret(path: str) -> str:
    return Path(path).read_text().strip()


def _create_users(port: int) -> None:
    client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=2000)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            client.admin.command("ping")
            break
        except pymongo.errors.PyMongoError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    admin = client.admin
    root = os.environ["MONGO_INITDB_ROOT_USERNAME"]
    admin.command("createUser", root, pwd=_secret(os.environ["MONGO_INITDB_ROOT_PASSWORD_FILE"]), roles=[{"role": "root", "db": "admin"}])
    for user, roles in json.loads(USERS.read_text())["users"].items():
        admin.command("createUser", user, pwd=_secret(f"/run/secrets/organising_mongo_{user}_password"), roles=roles)
        granted = ", ".join(f"{role['role']}@{role['db']}" for role in roles)
        print(f"created store user {user}: {granted}", flush=True)
    client.close()


def first_start(options: list[str]) -> None:
    port = _free_port()
    store = subprocess.Popen(["secantusd-py", *options, "--host", "127.0.0.1", "--port", str(port)])
    try:
        _create_users(port)
    finally:
        store.send_signal(signal.SIGTERM)
        store.wait(timeout=DEADLINE_SECONDS)
    MARK.write_text("users created\n")


def main() -> None:
    # `--port PORT` first, then the store's other options (never --host: loopback is set here).
    _, port, *options = sys.argv[1:]
    if not MARK.exists():
        first_start(options)
    os.execvp("secantusd-py", ["secantusd-py", *options, "--host", "127.0.0.1", "--port", port, "--auth"])


if __name__ == "__main__":
    main()
