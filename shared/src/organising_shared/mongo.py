"""The MongoDB client factory: PyMongo's async API (Motor is deprecated)."""

from __future__ import annotations

from pymongo import AsyncMongoClient


def make_mongo_client(url: str, **options: object) -> AsyncMongoClient:
    """Timezone-aware datetimes and standard UUIDs, so what goes in comes back the same."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=10_000,
        **options,
    )
