"""The MongoDB client factory: PyMongo's async API (Motor is deprecated)."""

from __future__ import annotations

from pymongo import AsyncMongoClient


# No store call may wait forever: a reply that never comes (seen once in a long test run: the
# server idle, the client still waiting) fails the call after this long, and the connection is
# replaced; every caller already retries. Far above any single operation here, and above the 1 s
# a change stream's getMore waits on the server.
SOCKET_TIMEOUT_MS = 60_000


def make_mongo_client(url: str, **options: object) -> AsyncMongoClient:
    """Timezone-aware datetimes and standard UUIDs, so what goes in comes back the same."""
    settings: dict[str, object] = {"serverSelectionTimeoutMS": 10_000, "socketTimeoutMS": SOCKET_TIMEOUT_MS, **options}
    return AsyncMongoClient(url, tz_aware=True, uuidRepresentation="standard", **settings)
