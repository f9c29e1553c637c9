"""Recruitment CSV import: rows/s for a file of `BENCH_IMPORT_ROWS` (100,000) rows, each with name,
phone and NIK, uploaded in the background (`Prefer: respond-async`) and followed through
`GET /members/imports/{id}` until it completed, against baselines measured in the same run:

- before: the same upload, synchronous, to the service at `BENCH_IMPORT_BASELINE_REF` (default
  the commit before this round's intake work), `BENCH_IMPORT_BEFORE_ROWS` rows (it runs about
  five times slower, and had an 8 MiB upload limit);
- again: the same deployment then takes the sheet again with `BENCH_IMPORT_ADDED` (1 %) new rows
  at its end, as federations upload their updated sheet: every earlier row is looked up and
  found, and only the new ones are registered. Its baseline is the first upload, in the same run;
- floor: the store alone inserting the documents an imported row needs (member, data key, NIK
  claim, row fingerprint; one outbox row per chunk) in transactions of the same chunk size,
  nothing computed: no service could import faster on this store.

    .venv/bin/python -m bench import
    BENCH_IMPORT_ROWS=20000 BENCH_IMPORT_SKIP=before .venv/bin/python -m bench import
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.bench_intake import ADMIN, Deployment, new_deployment, services
from bench.table import Row
from organising_shared.mongo import make_mongo_client
from organising_shared.testing.infrastructure import local_processes

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
ADDED = int(os.environ.get("BENCH_IMPORT_ADDED", str(max(1, ROWS // 100))))
BEFORE_ROWS = int(os.environ.get("BENCH_IMPORT_BEFORE_ROWS", "10000"))
BASELINE_REF = os.environ.get("BENCH_IMPORT_BASELINE_REF", "d9672b2")
CHUNK_ROWS = 1000
SKIP = {name.strip() for name in os.environ.get("BENCH_IMPORT_SKIP", "").split(",") if name.strip()}
HEADER = "sector,workplace_id,region_code,employment_status,gender,age_band,recruited_on,full_name,phone,nik"


def spreadsheet(rows: int) -> bytes:
    salt = uuid.uuid4().int % 10**6
    lines = [HEADER]
    for i in range(rows):
        lines.append(
            f"{('metal', 'chemical', 'automotive')[i % 3]},wp-{i % 300:04d},32.16,permanent,{('female', 'male')[i % 2]},25_34,"
            f"2026-03-14,Pekerja Impor {i},08{salt:06d}{i:06d},32{salt:06d}{i:08d}"
        )
    return ("\n".join(lines) + "\n").encode()


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[str | None]:
    """`ref` checked out in a temporary folder (a detached git worktree), or None if it cannot be."""
    root = Path(__file__).resolve().parent.parent
    folder = tempfile.mkdtemp(prefix="bench-import-baseline-")
    added = subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", folder, ref], capture_output=True, text=True)
    if added.returncode != 0:
        print(f"baseline code {ref} not available ({added.stderr.strip()[:200]}): skipping it", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", folder], capture_output=True)


async def import_in_background(url: str, content: bytes) -> tuple[float, int]:
    """Rows/s from the upload until GET says completed, and how many progress readings were part-way."""
    auth = {"Authorization": f"Bearer {ADMIN}"}
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        started = time.perf_counter()
        response = await http.post(
            "/api/v1/members/import?federation=FSPMI",
            files={"file": ("b.csv", content, "text/csv")},
            headers={**auth, "Prefer": "respond-async"},
        )
        assert response.status_code == 202, response.text
        status_url, part_way = response.json()["status_url"], 0
        while True:
            status = (await http.get(status_url, headers=auth)).json()
            if status["state"] == "completed":
                elapsed = time.perf_counter() - started
                break
            assert status["state"] == "running", status
            part_way += 1 if status["rows"] and 0 < status["rows_done"] < status["rows"] else 0
            await asyncio.sleep(0.2)
    report = status["report"]
    assert report["registered"] == status["rows"] and not report["rejected"], {k: v for k, v in report.items() if k != "rejected"}
    return status["rows"] / elapsed, part_way


def first_rows(content: bytes, rows: int) -> bytes:
    """The header and the first `rows` data rows of `content`."""
    return b"".join(content.splitlines(keepends=True)[: rows + 1])


async def import_synchronously(url: str, content: bytes, *, already: int = 0) -> float:
    """Rows/s for one upload answered when done; `already` of its rows were imported before."""
    async with httpx.AsyncClient(base_url=url, timeout=1800) as http:
        started = time.perf_counter()
        response = await http.post(
            "/api/v1/members/import?federation=FSPMI",
            files={"file": ("b.csv", content, "text/csv")},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    report = response.json()
    # `.get`: the baseline code's report may predate the field.
    assert (report["registered"], report.get("already_registered", 0)) == (report["rows"] - already, already), report
    assert not report["rejected"], report["rejected"][:3]
    return report["rows"] / elapsed


async def store_floor(deployment: Deployment, rows: int) -> float:
    """Rows/s the store takes the documents of imported rows at, in transactions of CHUNK_ROWS rows."""
    client = make_mongo_client(deployment.infrastructure.mongodb_url)
    db = client[f"{deployment.database}_floor"]
    try:
        started = time.perf_counter()
        for chunk in range(0, rows, CHUNK_ROWS):
            size = min(CHUNK_ROWS, rows - chunk)
            ids = [f"{chunk + i:032x}" for i in range(size)]
            members = [
                {"_id": f"m_{i}", "federation": "FSPMI", "sector": "metal", "workplace_id": "wp-0001", "region_code": "32.16",
                 "status": "active", "recruited_on": "2026-03-14", "personal_data": "held", "nik_claim": i, "import_row": i,
                 "sealed": {"full_name": os.urandom(45), "phone": os.urandom(41), "nik": os.urandom(44)}}
                for i in ids
            ]  # fmt: skip
            keys = [{"_id": f"m_{i}", "wrapped_key": os.urandom(60), "key_id": "k"} for i in ids]
            claims = [{"_id": i, "member": f"m_{i}"} for i in ids]
            marks = [{"_id": i, "member": f"m_{i}"} for i in ids]
            row = {"_id": chunk + 1, "seq": chunk + 1, "events": [{"value": "x" * 520} for _ in ids]}

            async def write(session, members=members, keys=keys, claims=claims, marks=marks, row=row) -> None:
                for name, documents in (("nik_claims", claims), ("members", members), ("member_keys", keys), ("import_rows", marks)):
                    await db[name].insert_many(documents, session=session)
                await db["outbox"].insert_one(row, session=session)

            async with client.start_session() as session:
                await session.with_transaction(write)
        return rows / (time.perf_counter() - started)
    finally:
        await client.close()


def measure() -> list[Row]:
    with local_processes() as infrastructure:
        floor = asyncio.run(store_floor(new_deployment(infrastructure), min(ROWS, 20_000)))
        print(f"floor, the store taking imported rows' documents: {floor:8.0f} rows/s", flush=True)
        before = float("nan")
        if "before" not in SKIP:
            with checkout(BASELINE_REF) as code:
                if code is not None:
                    path = f"{code}/shared/src{os.pathsep}{code}/services/recruitment/src"
                    deployment = new_deployment(infrastructure)
                    with services(deployment, 1, {"PYTHONPATH": path}) as urls:
                        before = asyncio.run(import_synchronously(urls[0], spreadsheet(BEFORE_ROWS)))
                    print(f"before ({BASELINE_REF}), synchronous, {BEFORE_ROWS} rows: {before:8.0f} rows/s", flush=True)
        deployment = new_deployment(infrastructure)
        sheet = spreadsheet(ROWS + ADDED)
        with services(deployment, 1) as urls:
            rate, part_way = asyncio.run(import_in_background(urls[0], first_rows(sheet, ROWS)))
            print(f"now, in the background, {ROWS} rows:    {rate:8.0f} rows/s ({part_way} progress readings part-way)", flush=True)
            again = asyncio.run(import_synchronously(urls[0], sheet, already=ROWS))
            print(f"the sheet again with {ADDED} rows added: {again:8.0f} rows/s", flush=True)
    rows = [
        Row(
            f"CSV import, {ROWS:,} rows with NIK (progress read part-way {part_way} times)",
            measured=rate,
            baseline=before,
            baseline_is=f"code at {BASELINE_REF}, {BEFORE_ROWS:,} rows",
            unit="rows/s",
            goal="≥ 5,000 rows/s, progress visible in the API",
            met=rate >= 5000 and part_way > 0,
        ),
        Row(
            f"CSV import of the sheet again with {ADDED:,} rows added (only those registered)",
            measured=again,
            baseline=rate,
            baseline_is="its first upload, above",
            unit="rows/s",
            goal="(no goal: federations' usual upload)",
        ),
        Row(
            "CSV import against the store's floor",
            measured=rate,
            baseline=floor,
            baseline_is="store inserting the rows' documents alone",
            unit="rows/s",
            goal="(the ceiling on this store)",
        ),
    ]
    return rows


def main() -> list[Row]:
    return measure()


if __name__ == "__main__":
    main()
