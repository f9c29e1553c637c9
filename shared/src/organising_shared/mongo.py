"""The MongoDB client factory (PyMongo's async API; Motor is deprecated), and reads by key in
lists the store answers quickly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

_DUPLICATE_KEY = 11000

# The most keys one `$in` names. SecantusDB (the local store) checks every document it finds
# against the whole list in turn, so finding n documents by a list of n keys costs it about n²
# comparisons: 1,000 keys found took it 834 ms in one list, 110 ms in lists of 100 (reporting
# measured 4,700 documents/s in lists of 10-50, 240/s in lists of 2,000). On MongoDB, which
# looks each key up in the index, the size is a guess that costs a round trip per list.
KEYS_PER_LIST = 50

T = TypeVar("T")


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


def key_lists(keys: Iterable[T], size: int = KEYS_PER_LIST) -> Iterator[list[T]]:
    """`keys` in lists of at most `size`, for `{"_id": {"$in": ...}}` filters (`KEYS_PER_LIST`)."""
    keys = list(keys)
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


async def find_by_keys(
    collection: AsyncCollection,
    keys: Iterable[Any],
    projection: Mapping[str, Any] | Sequence[str] | None = None,
    *,
    session: AsyncClientSession | None = None,
    size: int = KEYS_PER_LIST,
) -> AsyncIterator[dict[str, Any]]:
    """The documents whose `_id` is one of `keys` (those that exist), read a list at a time."""
    for listed in key_lists(keys, size):
        async for document in collection.find({"_id": {"$in": listed}}, projection, session=session):
            yield document
