"""The MongoDB client factory: PyMongo's async API (Motor is deprecated)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError, DuplicateKeyError

_DUPLICATE_KEY = 11000


# No store call may wait forever: a reply that never comes (seen once in a long test run: the
# server idle, the client still waiting) fails the call after this long, and the connection is
# replaced; every caller already retries. Far above any single operation here, and above the 1 s
# a change stream's getMore waits on the server.
SOCKET_TIMEOUT_MS = 60_000


def make_mongo_client(url: str, **options: Any) -> AsyncMongoClient:
    """Timezone-aware datetimes and standard UUIDs, so what goes in comes back the same."""
    settings: dict[str, Any] = {"serverSelectionTimeoutMS": 10_000, "socketTimeoutMS": SOCKET_TIMEOUT_MS, **options}
    return AsyncMongoClient(url, tz_aware=True, uuidRepresentation="standard", **settings)


def only_duplicate_keys(error: BulkWriteError | DuplicateKeyError) -> bool:
    """True when every write `error` refused was refused for a key already stored (and nothing
    else went wrong): an insert of something that exists, not a failure."""
    if isinstance(error, DuplicateKeyError):
        return True
    problems = error.details.get("writeErrors", [])
    return bool(problems) and all(problem.get("code") == _DUPLICATE_KEY for problem in problems)
