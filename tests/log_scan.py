"""After the whole run, no log line holds a name, phone number or NIK that the tests submitted.

A pytest plugin (tests/conftest.py). It collects the log lines of the run — every record logged
in the test process (services started in process included), every `*.log` file under pytest's
temporary folders (services and the local stack started as processes), and logs that tests
hand over before deleting them (`keep`) — and, when the session ends, looks in them for the
personal data the tests sent: literals written in the test sources (NIKs, phone numbers, the
`*NAME*` constants) and the values generated while running (`submitted`). A hit fails the run
and names the file and line, never the value.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from organising_shared.digits import to_ascii_digits

_TESTS = Path(__file__).resolve().parent
_SUBMITTED: set[str] = set()
_KEPT: list[Path] = []
_state: dict[str, Path] = {}

_NIK_LITERAL = re.compile(r"""["'](\d{16})["']""")
_PHONE_LITERAL = re.compile(r"""["'](\+62\d{8,13}|62\d{9,13}|08\d{8,11})["']""")
_NAME_CONSTANT = re.compile(r"""^[A-Z_]*NAME[A-Z_]*\s*=\s*["']([A-Z][a-z]+(?: [A-Z][a-z]+)+)["']""", re.MULTILINE)
_NAME_TUPLE = re.compile(r"""CSV_NAME, CSV_PHONE, CSV_NIK = "([^"]+)", "([^"]+)", "([^"]+)\"""")


def submitted(value: str) -> str:
    """Note a generated name, phone number or NIK that a test sends; returns it."""
    _SUBMITTED.add(value)
    return value


def keep(path: str | Path) -> None:
    """Keep a log a test is about to delete, for the scan at the end."""
    folder = _state.get("kept")
    if folder is not None and Path(path).exists():
        copy = folder / f"{len(_KEPT)}-{Path(path).name}"
        shutil.copyfile(path, copy)
        _KEPT.append(copy)


def personal_data_in_test_sources() -> set[str]:
    found: set[str] = set()
    for source in _TESTS.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        found.update(_NIK_LITERAL.findall(text))
        found.update(_PHONE_LITERAL.findall(text))
        found.update(_NAME_CONSTANT.findall(text))
        for match in _NAME_TUPLE.findall(text):
            found.update(match)
    return found


def find_personal_data(lines: Iterator[tuple[str, int, str]], values: set[str]) -> list[str]:
    """`file:line` of each line holding one of `values` (never the value itself)."""
    wanted = sorted((value for value in values if len(value) >= 6), key=len, reverse=True)
    hits = []
    for where, number, line in lines:
        plain = to_ascii_digits(line)  # a NIK typed in another script's digits is the same NIK
        if any(value in plain for value in wanted):
            hits.append(f"{where}:{number}")
    return hits


def _lines(paths: list[Path]) -> Iterator[tuple[str, int, str]]:
    for path in paths:
        try:
            with path.open(encoding="utf-8", errors="replace") as file:
                for number, line in enumerate(file, start=1):
                    yield str(path), number, line
        except OSError:
            continue


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="organising-log-scan-"))
    _state["folder"] = folder
    _state["kept"] = folder / "kept"
    _state["kept"].mkdir()
    handler = logging.FileHandler(folder / "in-process.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)  # the services' own level: what an operator's log would hold
    # The tests' own HTTP clients log every URL they call, bad ones included (a NIK sent as a path
    # id on purpose): that is the test harness talking, not a service. The services' access
    # lines come from the app (route templates), and are scanned.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    config.stash[_HANDLER] = handler


_HANDLER = pytest.StashKey[logging.Handler]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = _state.get("folder")
    if folder is None:
        return
    handler = session.config.stash.get(_HANDLER, None)
    if handler is not None:
        handler.flush()
    paths = [folder / "in-process.log", *_KEPT]
    factory = getattr(session.config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None) if factory is not None else None
    if basetemp is not None and Path(basetemp).exists():
        paths.extend(Path(basetemp).rglob("*.log"))
    hits = find_personal_data(_lines(paths), personal_data_in_test_sources() | _SUBMITTED)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
    if hits:
        if reporter is not None:
            reporter.write_line(f"personal data the tests submitted was found in {len(hits)} log line(s):", red=True)
            for hit in hits[:50]:
                reporter.write_line(f"  {hit}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is not None:
            reporter.write_line(f"  (the logs of this process are kept in {folder})", red=True)
        return
    if reporter is not None:
        reporter.write_line(f"log scan: no personal data the tests submitted in {len(paths)} log file(s)")
    shutil.rmtree(folder, ignore_errors=True)
