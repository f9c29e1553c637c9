"""Member state as an append-only ledger of batches, folded in memory.

Counting a recruitment needs the member's history (docs/contract.md: an active member recruited again
does not count again), and members are many: one document per member costs one insert per new
member, the projection's ceiling. Instead, each batch appends one ledger document (a *segment*)
holding the new state of every member it changed, and every instance keeps the fold of all
segments in memory (member key → encoded history).

Segments are numbered 1, 2, 3, … in `_id`, and the document `{_id: "head"}` names the last.
A batch first folds the segments it has not seen yet (another instance of the consumer group,
or a rebuild, may have appended them), then appends its own segment under the next number and
moves the head, inside the batch's transaction. Two instances appending at once conflict on
the head (the store retries one transaction, which then sees the other's segment) or collide on
the segment's `_id` (the batch is applied again on top of the other's segment: `LedgerMoved`).
The fold only ever takes committed segments: what a batch appends is held aside until its
transaction has committed.

Trade-offs: memory grows with the number of members (about 320 bytes each, their events as one
string; 800,000 members read back in 1.5 s), and an instance reads every segment before it
first applies a batch to a generation. Segments are never compacted; a rebuild writes a fresh
ledger in few, large segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from organising_shared.mongo import key_lists, only_duplicate_keys
from organising_shared.projections.failures import ApplyAgain
from reporting.read_model.counting import MemberEntry

# A segment holds at most this many members and about this many bytes, far below MongoDB's
# 16 MB document limit whatever a batch holds (a member's history is ~110 bytes per event).
SEGMENT_MEMBERS = 4_000
SEGMENT_BYTES = 2 * 1024 * 1024  # characters: even all 4-byte UTF-8 stays under 16 MB
_READ_CHUNK = 20  # segments a read holds at once (each up to SEGMENT_BYTES)
HEAD = "head"  # the document naming the last segment appended
_ENTRY_SEPARATOR = ";"
_FIELD_SEPARATOR = "|"  # no field (dates, codes, enum values, UUIDs) can hold either separator...
# ...but a `workplace_id` (any identifier) can: it is percent-escaped when it holds one of these.
_ESCAPED = ("%", _ENTRY_SEPARATOR, _FIELD_SEPARATOR)


def escape(value: str) -> str:
    """A free identifier as a ledger field (`unescape` gives it back). Almost every id holds none
    of the separators and is kept as it is, without a copy."""
    if any(character in value for character in _ESCAPED):
        return quote(value, safe="")
    return value


def unescape(value: str) -> str:
    return unquote(value) if "%" in value else value


class LedgerMoved(ApplyAgain):
    """Another writer appended the segment number this batch wanted: apply the batch again."""


def encode(entries: Iterable[MemberEntry]) -> str:
    return _ENTRY_SEPARATOR.join(sorted(_FIELD_SEPARATOR.join(entry) for entry in entries))


def decode(history: str) -> list[MemberEntry]:
    return [MemberEntry(*part.split(_FIELD_SEPARATOR)) for part in history.split(_ENTRY_SEPARATOR)] if history else []


class MemberLedger:
    """The members of one generation of the projections, for one process."""

    def __init__(self, collection: AsyncCollection) -> None:
        self._collection = collection
        self._histories: dict[str, str] = {}
        self._folded = 0  # the highest segment number folded into `_histories`
        self._pending: tuple[int, dict[str, str]] | None = None

    def __len__(self) -> int:
        return len(self._histories)

    async def catch_up(self, session: AsyncClientSession | None) -> None:
        """Fold every segment appended since the last one seen (read in `session`'s snapshot).

        The head document names the last segment; the missing ones are then read by `_id`. (A
        range query on `_id` would do, but SecantusDB answers it by scanning every segment.)
        """
        head = await self._collection.find_one({"_id": HEAD}, session=session)
        last = head["segment"] if head else 0
        missing = list(range(self._folded + 1, last + 1))
        for listed in key_lists(missing, _READ_CHUNK):
            segments = [row async for row in self._collection.find({"_id": {"$in": listed}}, session=session)]
            for segment in sorted(segments, key=lambda row: row["_id"]):
                self._fold(segment["_id"], zip(segment["keys"], segment["histories"], strict=True))

    def history(self, key: str) -> list[MemberEntry]:
        return decode(self._histories.get(key, ""))

    async def append(self, changed: Mapping[str, list[MemberEntry]], session: AsyncClientSession | None) -> None:
        """Write the new histories of `changed` as the next segment(s); folded on `committed()`."""
        encoded = {key: encode(entries) for key, entries in changed.items()}
        if not encoded:
            return
        segments: list[dict[str, Any]] = []
        number = self._folded
        size = SEGMENT_BYTES  # start a segment at the first member
        for key, history in encoded.items():
            if size + len(key) + len(history) > SEGMENT_BYTES or len(segments[-1]["keys"]) >= SEGMENT_MEMBERS:
                number += 1
                segments.append({"_id": number, "keys": [], "histories": []})
                size = 0
            segments[-1]["keys"].append(key)
            segments[-1]["histories"].append(history)
            size += len(key) + len(history) + 32  # BSON's per-element overhead, roughly
        try:
            await self._collection.insert_many(segments, session=session)
            await self._collection.update_one({"_id": HEAD}, {"$set": {"segment": number}}, upsert=True, session=session)
        except (DuplicateKeyError, BulkWriteError) as error:
            if not only_duplicate_keys(error):
                raise
            raise LedgerMoved(number) from None
        self._pending = (number, encoded)

    def committed(self) -> None:
        """The transaction that appended the pending segments has committed: fold them."""
        if self._pending is not None:
            number, encoded = self._pending
            self._pending = None
            if number > self._folded:
                self._fold(number, encoded.items())

    def discard(self) -> None:
        """The transaction failed: what it appended never happened."""
        self._pending = None

    def _fold(self, number: int, histories: Iterable[tuple[str, str]]) -> None:
        self._histories.update(histories)
        self._folded = max(self._folded, number)
