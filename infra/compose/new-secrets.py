"""Writes a fresh set of the stack's secret files for docker-compose.yml (standard library only).

    python3 infra/compose/new-secrets.py [FOLDER]      # default: ./secrets

Each file holds one value and is named like the setting's variable in lower case, which is how
the services find it in /run/secrets. Existing files are kept, never overwritten: a new master
key or pseudonym secret would make the members already stored unreadable or unmatched.

The files are made readable to group 10001, the services' group in the image, and to no one
else (compose mounts them as they are on the host).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from pathlib import Path

SERVICE_GID = 10001  # the Dockerfile's `organising` group
# The store's users, one per service (and the token tool): infra/compose/mongo-init/service-users.json.
MONGO_USERS = tuple(json.loads((Path(__file__).parent / "mongo-init" / "service-users.json").read_text())["users"])


def _key32() -> str:
    """32 random bytes, URL-safe base64: the recruitment master key, and a Fernet key."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


GENERATORS = {
    "organising_admin_token": lambda: secrets.token_urlsafe(32),
    "organising_recruitment_master_key": _key32,
    "organising_recruitment_pseudonym_secret": lambda: secrets.token_urlsafe(32),
    "organising_recruitment_nik_secret": lambda: secrets.token_urlsafe(32),
    "organising_webhook_secret_keys": _key32,
    # Empty: the SMTP relay takes mail without a login (ORGANISING_SMTP_USERNAME unset). Write
    # the relay's password here when it needs one.
    "organising_smtp_password": lambda: "",
    # MongoDB (infra/compose/mongo-init): the root user, made on the store's first start and used
    # by the operator and the healthcheck only; the replica set's key file, which also turns
    # authorization on; one password per user of infra/compose/mongo-init/service-users.json.
    "organising_mongo_root_password": lambda: secrets.token_urlsafe(32),
    "organising_mongo_keyfile": lambda: base64.b64encode(secrets.token_bytes(756)).decode(),
    **{f"organising_mongo_{user}_password": (lambda: secrets.token_urlsafe(32)) for user in MONGO_USERS},
}


def write_secrets(folder: Path) -> list[str]:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for name, generate in GENERATORS.items():
        path = folder / name
        if path.exists():
            continue
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(descriptor, "w") as file:
            file.write(generate())
        if os.geteuid() == 0:
            os.chown(path, -1, SERVICE_GID)
        else:
            # Without root the group cannot be set: readable to all, or the services cannot read it.
            path.chmod(0o644)
        written.append(name)
    return written


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "secrets")
    written = write_secrets(folder)
    kept = sorted(set(GENERATORS) - set(written))
    print(f"{folder}: wrote {', '.join(written) or 'nothing'}" + (f"; kept {', '.join(kept)}" if kept else ""))


if __name__ == "__main__":
    main()
