"""Importing members from the CSV files federations keep today.

Every valid row is registered; every invalid one is reported with its line number and the
reason, never its content. Re-uploading a file registers nothing twice: each row leaves a keyed
fingerprint of its content (and of how many identical rows came before it in the file, since two
workers may share every column when no name or NIK is given), and a row whose NIK already
belongs to an active member of the federation is not registered again.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from organising_shared.decoding import describe_errors
from organising_shared.mongo import find_by_keys
from recruitment import group_commit, outbox
from recruitment.errors import Invalid
from recruitment.idempotency import IdempotencyScope, StoredAnswer
from recruitment.intake import Intake
from recruitment.schemas import ImportReport, MemberCreate, RejectedLine
from recruitment.store import IDEMPOTENCY, IMPORT_ROWS, IMPORTS, NIK_CLAIMS

REQUIRED_COLUMNS = ("sector", "workplace_id", "region_code", "employment_status", "gender", "recruited_on")
OPTIONAL_COLUMNS = ("age_band", "full_name", "phone", "nik")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True)
class ImportRow:
    line: int
    member: MemberCreate
    fingerprint: str
    nik_lookup: str | None


def read_csv(content: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RejectedLine]]:
    """The file's data rows with their line numbers, and the lines that are not rows at all."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid("file", "is not UTF-8 text (save the spreadsheet as CSV UTF-8)") from error
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in Indonesian locales save CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise Invalid("file", "is empty: expected a header row") from None
    unknown = [position for position, column in enumerate(header, start=1) if column not in COLUMNS]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = []
        if unknown:
            # By position, not by name: in a file without a header row, the "names" are the
            # first member's name, phone and NIK.
            hint = " (is the header row missing?)" if len(unknown) == len(header) else ""
            where = f"column at position {unknown[0]}" if len(unknown) == 1 else f"columns at positions {', '.join(map(str, unknown))}"
            problems.append(f"unknown {where}{hint}")
        if missing:
            problems.append(f"missing columns {', '.join(missing)}")
        if len(set(header)) != len(header):
            problems.append("a column appears twice")
        raise Invalid("file", f"header row: {'; '.join(problems)} (columns: {', '.join(COLUMNS)})")
    rows, rejected = [], []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            rejected.append(RejectedLine(line=start, reason=f"not a CSV row: {error}"))
            line = reader.line_num
            continue
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # blank lines are what spreadsheets leave at the end
        if len(values) != len(header):
            rejected.append(RejectedLine(line=start, reason=f"has {len(values)} fields, the header has {len(header)}"))
            continue
        rows.append((start, dict(zip(header, values, strict=True))))
    return rows, rejected


class RowValidator:
    """Validates a file's rows in order, a chunk at a time: a NIK twice in the file, and identical
    rows, are told apart across chunks."""

    def __init__(self, intake: Intake, federation: str) -> None:
        self._vault = intake.vault
        self._federation = federation
        self._occurrences: Counter[tuple[str, ...]] = Counter()
        self._nik_lines: dict[str, int] = {}

    def validate(self, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[ImportRow], list[RejectedLine]]:
        valid, rejected = [], []
        federation = self._federation
        for line, values in rows:
            cleaned = {column: value.strip() for column, value in values.items() if value.strip()}
            try:
                member = MemberCreate.model_validate(cleaned)
            except ValidationError as error:
                rejected.append(RejectedLine(line=line, reason=describe_errors(error)))  # never the row's values
                continue
            nik_lookup = self._vault.nik_lookup(federation, member.nik) if member.nik else None
            if nik_lookup and nik_lookup in self._nik_lines:
                rejected.append(RejectedLine(line=line, reason=f"nik: the same NIK is on line {self._nik_lines[nik_lookup]}"))
                continue
            if nik_lookup:
                self._nik_lines[nik_lookup] = line
            content = tuple(cleaned.get(column, "") for column in COLUMNS)
            self._occurrences[content] += 1
            fingerprint = self._vault.fingerprint("csv-row", federation, *content, str(self._occurrences[content]))
            valid.append(ImportRow(line=line, member=member, fingerprint=fingerprint, nik_lookup=nik_lookup))
        return valid, rejected


def validate_rows(intake: Intake, federation: str, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[ImportRow], list[RejectedLine]]:
    return RowValidator(intake, federation).validate(rows)


@dataclass(frozen=True)
class PreparedChunk:
    """A chunk's rows validated, with each valid row's member sealed and its event built (nothing stored)."""

    rows: int
    valid: list[ImportRow]
    rejected: list[RejectedLine]
    members: list[tuple[str, dict[str, Any], Any]]  # per valid row: (member_ref, documents, event)


@dataclass
class ImportProgress:
    """How far an import is: updated after each chunk's transaction commits."""

    rows: int  # data rows in the file (read before the first chunk)
    rows_done: int = 0
    registered: int = 0
    already_registered: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)


OnProgress = Callable[[ImportProgress], Awaitable[None]]


def _prepare(intake: Intake, validator: RowValidator, federation: str, rows: list[tuple[int, dict[str, str]]]) -> PreparedChunk:
    """The CPU work of a chunk (validation, keyed hashes, sealing, events): run on a worker thread,
    while the previous chunk's transaction is in the store and the event loop serves requests."""
    valid, rejected = validator.validate(rows)
    members = [intake.new_member(federation, row.member, import_row=row.fingerprint) for row in valid]
    return PreparedChunk(rows=len(rows), valid=valid, rejected=rejected, members=members)


async def import_members(
    intake: Intake, federation: str, content: bytes, *, chunk_rows: int, on_progress: OnProgress | None = None
) -> ImportReport:
    rows, unreadable = await asyncio.to_thread(read_csv, content)
    progress = ImportProgress(rows=len(rows) + len(unreadable), rejected=list(unreadable))
    progress.rows_done = len(unreadable)
    # The same file again, once its first upload completed: every valid row is registered already,
    # and saying so needs one lookup instead of one per row.
    file_id = intake.vault.fingerprint("csv-file", federation, hashlib.sha256(content).hexdigest())
    repeated = await intake.db[IMPORTS].find_one({"_id": file_id}, {"_id": 1}) is not None
    validator = RowValidator(intake, federation)
    chunks = list(_chunks(rows, chunk_rows))
    # A pipeline of two: chunk n+1 is prepared on a thread while chunk n is in the store.
    upcoming = _prepare_soon(intake, validator, federation, chunks, 0, validate_only=repeated)
    try:
        for index in range(len(chunks)):
            chunk = await upcoming
            assert chunk is not None  # index < len(chunks)
            upcoming = _prepare_soon(intake, validator, federation, chunks, index + 1, validate_only=repeated)
            if repeated:
                fresh, seen = 0, len(chunk.valid)
            elif chunk.valid:
                fresh, seen = await intake.transaction(_register_chunk(intake, federation, chunk))
            else:
                fresh, seen = 0, 0
            progress.rows_done += chunk.rows
            progress.registered += fresh
            progress.already_registered += seen
            progress.rejected += chunk.rejected
            if on_progress is not None:
                await on_progress(progress)
    finally:
        upcoming.cancel()
    if not repeated:
        await intake.db[IMPORTS].update_one({"_id": file_id}, {"$setOnInsert": {"completed_at": datetime.now(UTC)}}, upsert=True)
    return ImportReport(
        rows=progress.rows,
        registered=progress.registered,
        already_registered=progress.already_registered,
        rejected=sorted(progress.rejected, key=lambda item: item.line),
    )


def _prepare_soon(
    intake: Intake,
    validator: RowValidator,
    federation: str,
    chunks: list[list[tuple[int, dict[str, str]]]],
    index: int,
    *,
    validate_only: bool,
) -> asyncio.Future[PreparedChunk | None]:
    if index >= len(chunks):
        done: asyncio.Future[PreparedChunk | None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done
    if validate_only:
        return asyncio.ensure_future(asyncio.to_thread(_validated_only, validator, chunks[index]))
    return asyncio.ensure_future(asyncio.to_thread(_prepare, intake, validator, federation, chunks[index]))


def _validated_only(validator: RowValidator, rows: list[tuple[int, dict[str, str]]]) -> PreparedChunk:
    valid, rejected = validator.validate(rows)
    return PreparedChunk(rows=len(rows), valid=valid, rejected=rejected, members=[])


def _register_chunk(intake: Intake, federation: str, chunk: PreparedChunk):
    async def work(session: AsyncClientSession) -> tuple[int, int]:
        db = intake.db
        fingerprints = [row.fingerprint for row in chunk.valid]
        # In short key lists: a file uploaded again with a few rows added finds nearly every key.
        imported = {doc["_id"] async for doc in find_by_keys(db[IMPORT_ROWS], fingerprints, {"_id": 1}, session=session)}
        lookups = [row.nik_lookup for row in chunk.valid if row.nik_lookup]
        claimed = {doc["_id"] async for doc in find_by_keys(db[NIK_CLAIMS], lookups, {"_id": 1}, session=session)}
        fresh = [
            (row, prepared)
            for row, prepared in zip(chunk.valid, chunk.members, strict=True)
            if row.fingerprint not in imported and row.nik_lookup not in claimed
        ]
        if not fresh:
            return 0, len(chunk.valid)
        now = datetime.now(UTC)
        batch, events, marks = [], [], []
        for row, (member_ref, documents, event) in fresh:
            batch.append(documents)
            events.append(outbox.Outgoing(event))
            marks.append({"_id": row.fingerprint, "member": member_ref, "imported_at": now})
        await intake.store_members(session, batch)
        await group_commit.insert(db[IMPORT_ROWS], marks, session=session)
        await outbox.append(db, session, events)
        return len(fresh), len(chunk.valid) - len(fresh)

    return work


def _chunks(rows: list[tuple[int, dict[str, str]]], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def import_once(intake: Intake, scope: IdempotencyScope | None, run: Callable[[], Awaitable[ImportReport]]) -> JSONResponse:
    """An import with an Idempotency-Key answers a retry with the first report.

    An import spans several transactions, so its answer is stored after the last one; a retry
    that arrives before then re-runs the import, which the row fingerprints make register nothing
    twice.
    """
    records = intake.db[IDEMPOTENCY]
    if scope and (stored := await scope.recall(records)):
        return JSONResponse(stored.body)
    report = await run()
    body = report.model_dump(mode="json")
    if scope:
        try:
            await scope.remember(records, StoredAnswer(created=False, body=body))
        except DuplicateKeyError:
            if stored := await scope.recall(records):
                return JSONResponse(stored.body)
    return JSONResponse(body)
