"""What `make run` needs before it creates anything: Python 3.11, Java 17 or newer, Maven.

    python3 shared/src/organising_shared/devstack/prerequisites.py [--venv .venv]

The Makefile runs this file with the system's Python before the virtual environment exists, so
it uses the standard library only and must still parse on an older Python 3 (no `match`, no
`X | Y` outside annotations): its job there is to say that the version is wrong, not to fail
with a syntax error. Exit status 1 and one paragraph per missing piece, with the Debian package
that provides it; nothing is installed here.
"""

# typing's Optional, List and Tuple on purpose: the aliases below are evaluated at run time, and
# this file must run on the Python it is judging (see the docstring).
# ruff: noqa: UP006, UP035, UP045
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

PYTHON_WANTED = (3, 11)  # requirements/*.lock are compiled for 3.11 (Makefile `lock`)
JAVA_WANTED = 17  # Kafka 4's broker needs Java 17 or newer

Which = Callable[[str], Optional[str]]
Run = Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class Missing:
    what: str  # what is needed
    found: str  # what there is instead
    install: str  # how to get it on Debian


def check_python(version: Tuple[int, ...], executable: str, *, venv_exists: bool, has_ensurepip: bool) -> Optional[Missing]:
    if tuple(version[:2]) != PYTHON_WANTED:
        return Missing(
            "Python 3.11 (the lock files are compiled for it)",
            f"Python {'.'.join(map(str, version[:3]))} at {executable}",
            "Debian 12: sudo apt-get install python3.11 python3.11-venv; then `make run PYTHON=python3.11` if python3 is "
            "another version. Without a python3.11 package (Debian 13): `uv python install 3.11` and "
            "`make run PYTHON=$(uv python find 3.11)`",
        )
    if not venv_exists and not has_ensurepip:
        return Missing(
            "Python's venv module with ensurepip (to create .venv)",
            f"{executable} without ensurepip",
            "Debian: sudo apt-get install python3.11-venv",
        )
    return None


def java_major(version_output: str) -> Optional[int]:
    """17 from `openjdk version "17.0.15" 2025-04-15`, 8 from `java version "1.8.0_402"`."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_java(which: Which, run: Run) -> Optional[Missing]:
    install = "Debian 12: sudo apt-get install openjdk-17-jre-headless (Debian 13: openjdk-21-jre-headless)"
    java = which("java")
    if java is None:
        return Missing(f"Java {JAVA_WANTED} or newer (Kafka runs on it)", "no `java` on PATH", install)
    try:
        output = run([java, "-version"])
    except (OSError, subprocess.SubprocessError) as error:
        return Missing(f"Java {JAVA_WANTED} or newer (Kafka runs on it)", f"{java} did not run ({type(error).__name__})", install)
    major = java_major(output)
    if major is None or major < JAVA_WANTED:
        found = f"Java {major} at {java}" if major is not None else f"{java}, whose version could not be read"
        return Missing(f"Java {JAVA_WANTED} or newer (Kafka runs on it)", found, install)
    return None


def check_maven(which: Which) -> Optional[Missing]:
    if which("mvn") is None:
        return Missing(
            "Maven (it resolves Kafka's jars from infra/kafka/pom.xml)", "no `mvn` on PATH", "Debian: sudo apt-get install maven"
        )
    return None


def missing_prerequisites(
    *,
    which: Which = shutil.which,
    run: Optional[Run] = None,
    python_version: Tuple[int, ...] = tuple(sys.version_info[:3]),
    python_executable: str = sys.executable,
    venv_exists: bool = True,
    has_ensurepip: bool = True,
) -> List[Missing]:
    """Everything missing, not only the first: one round of installing fixes them all."""
    found = [
        check_python(python_version, python_executable, venv_exists=venv_exists, has_ensurepip=has_ensurepip),
        check_java(which, run or _output_of),
        check_maven(which),
    ]
    return [problem for problem in found if problem is not None]


def describe(problems: Sequence[Missing]) -> str:
    lines = ["`make run` cannot start; missing:"]
    for problem in problems:
        lines += [f"  - {problem.what}", f"      found: {problem.found}", f"      install: {problem.install}"]
    return "\n".join(lines)


def _output_of(argv: Sequence[str]) -> str:
    # `java -version` writes to stderr; a broken install may hang, hence the timeout.
    completed = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    return completed.stdout + completed.stderr


def _has_ensurepip() -> bool:
    import importlib.util

    return importlib.util.find_spec("ensurepip") is not None


def venv_python_version(pyvenv_cfg: str) -> Optional[Tuple[int, ...]]:
    """The version an existing environment was made with (`version = 3.11.7` in pyvenv.cfg)."""
    match = re.search(r"^version(?:_info)?\s*=\s*(\d+)\.(\d+)(?:\.(\d+))?", pyvenv_cfg, flags=re.MULTILINE)
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="prerequisites", description=__doc__.split("\n")[0])
    parser.add_argument("--venv", default=".venv", help="the virtual environment `make` creates or uses")
    args = parser.parse_args(argv)
    # Once the environment exists, its Python is the one that runs everything, whatever python3 is now.
    python, version = sys.executable, tuple(sys.version_info[:3])
    venv_exists = os.path.exists(os.path.join(args.venv, "bin", "python"))
    if venv_exists:
        try:
            with open(os.path.join(args.venv, "pyvenv.cfg"), encoding="utf-8") as config:
                version = venv_python_version(config.read()) or version
            python = os.path.join(args.venv, "bin", "python")
        except OSError:
            pass
    problems = missing_prerequisites(
        python_version=version, python_executable=python, venv_exists=venv_exists, has_ensurepip=venv_exists or _has_ensurepip()
    )
    if problems:
        print(describe(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
