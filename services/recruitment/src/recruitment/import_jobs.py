"""CSV imports that run in the background, with their progress readable while they run.

`POST /members/import` with `Prefer: respond-async` (RFC 7240) answers 202 at once with the
import's id; `GET /members/imports/{import_id}` says how far it is (rows done, registered,
already registered, rejected) and, once it completed, the whole report. Without the header the
upload answers with the report when it is done, as it always has.

The job runs in the replica that took the upload, as a task of that process; its record
(`import_jobs`) is updated after each chunk's transaction. A replica that stops mid-import
leaves its record `running` with an old `updated_at`: after `import_stalled_seconds` it reads as
`interrupted`, and uploading the same file again registers only the rows that were not yet
registered (the row fingerprints, `importer`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from organising_shared.auth import Principal
from recruitment import importer
from recruitment.errors import Forbidden, Invalid, NotFound
from recruitment.idempotency import IdempotencyScope, StoredAnswer
from recruitment.intake import Intake
from recruitment.schemas import ImportReport
from recruitment.store import IDEMPOTENCY

log = logging.getLogger(__name__)

IMPORT_JOBS = "import_jobs"  # _id = import id; one background import's progress and, once done, its report


class ImportJobs:
    def __init__(self, intake: Intake, *, chunk_rows: int, stalled_after_seconds: float) -> None:
        self._intake = intake
        self._jobs = intake.db[IMPORT_JOBS]
        self._chunk_rows = chunk_rows
        self._stalled_after = timedelta(seconds=stalled_after_seconds)
        self._running: set[asyncio.Task] = set()  # held so that a running import is not garbage-collected

    async def start(self, federation: str, content: bytes, scope: IdempotencyScope | None) -> dict[str, Any]:
        """Start an import in the background; its id and where to read its progress (202's body)."""
        # A file that is not UTF-8 or has a bad header is refused now (422), not in the background.
        importer.read_csv(content.split(b"\n", 1)[0] + b"\n")
        records = self._intake.db[IDEMPOTENCY]
        if scope and (stored := await scope.recall(records)):
            return stored.body
        import_id = f"imp_{secrets.token_hex(12)}"
        body = {"import_id": import_id, "state": "running", "status_url": status_path(import_id)}
        if scope:
            try:
                await scope.remember(records, StoredAnswer(created=True, body=body))
            except DuplicateKeyError:  # a concurrent retry with the same key started it
                if stored := await scope.recall(records):
                    return stored.body
                raise
        now = datetime.now(UTC)
        await self._jobs.insert_one(
            {
                "_id": import_id,
                "federation": federation,
                "state": "running",
                "rows": None,
                "rows_done": 0,
                "registered": 0,
                "already_registered": 0,
                "rejected_count": 0,
                "started_at": now,
                "updated_at": now,
            }
        )
        task = asyncio.create_task(self._run(import_id, federation, content), name=f"import {import_id}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return body

    async def _run(self, import_id: str, federation: str, content: bytes) -> None:
        async def on_progress(progress: importer.ImportProgress) -> None:
            await self._jobs.update_one(
                {"_id": import_id},
                {
                    "$set": {
                        "rows": progress.rows,
                        "rows_done": progress.rows_done,
                        "registered": progress.registered,
                        "already_registered": progress.already_registered,
                        "rejected_count": len(progress.rejected),
                        "updated_at": datetime.now(UTC),
                    }
                },
            )

        try:
            report = await importer.import_members(self._intake, federation, content, chunk_rows=self._chunk_rows, on_progress=on_progress)
        except Exception as error:  # noqa: BLE001 - the job's record says it failed; the reason never quotes the file
            log.warning("import %s failed: %s", import_id, type(error).__name__)
            reason = f"{error.field}: {error.reason}" if isinstance(error, Invalid) else None
            await self._jobs.update_one(
                {"_id": import_id},
                {
                    "$set": {
                        "state": "failed",
                        "reason": reason or "the import failed; upload the file again",
                        "updated_at": datetime.now(UTC),
                    }
                },
            )
            return
        await self._jobs.update_one(
            {"_id": import_id},
            {
                "$set": {
                    "state": "completed",
                    "rows": report.rows,
                    "rows_done": report.rows,
                    "registered": report.registered,
                    "already_registered": report.already_registered,
                    "rejected_count": len(report.rejected),
                    "report": report.model_dump(mode="json"),
                    "updated_at": datetime.now(UTC),
                }
            },
        )

    async def status(self, principal: Principal, import_id: str) -> dict[str, Any]:
        job = await self._jobs.find_one({"_id": import_id})
        if job is None:
            raise NotFound("no import with this import_id")
        if not principal.may_act_for(job["federation"]):
            raise Forbidden(f"this token may not act for federation {job['federation']}")
        updated_at = job["updated_at"] if job["updated_at"].tzinfo else job["updated_at"].replace(tzinfo=UTC)
        state = job["state"]
        if state == "running" and datetime.now(UTC) - updated_at > self._stalled_after:
            state = "interrupted"
        answer = {key: job.get(key) for key in ("federation", "rows", "rows_done", "registered", "already_registered", "rejected_count")}
        answer.update(import_id=import_id, state=state, updated_at=updated_at.isoformat())
        if state == "completed":
            answer["report"] = ImportReport.model_validate(job["report"]).model_dump(mode="json")
        if state in ("failed", "interrupted"):
            answer["reason"] = job.get("reason") or "the service stopped during the import; upload the file again"
        return answer

    async def wait_for_all(self) -> None:
        """For tests and shutdown: the imports this process runs, finished."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


def status_path(import_id: str) -> str:
    return f"/api/v1/members/imports/{import_id}"
