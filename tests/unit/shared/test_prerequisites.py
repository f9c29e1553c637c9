"""`make run`'s check: what is missing, what was found instead, and the Debian package for it."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from organising_shared.devstack import prerequisites
from organising_shared.devstack.prerequisites import describe, java_major, missing_prerequisites, venv_python_version

JAVA_17 = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\n'
JAVA_8 = 'java version "1.8.0_402"\nJava(TM) SE Runtime Environment (build 1.8.0_402-b06)\n'


def lookups(**on_path: str):
    return lambda name: on_path.get(name)


def versions(output: str):
    return lambda argv: output


def test_nothing_is_missing_with_python_3_11_java_17_and_maven():
    found = missing_prerequisites(which=lookups(java="/usr/bin/java", mvn="/usr/bin/mvn"), run=versions(JAVA_17), python_version=(3, 11, 7))
    assert found == []


def test_every_missing_piece_is_named_at_once_with_its_debian_package():
    problems = missing_prerequisites(which=lookups(), run=versions(""), python_version=(3, 9, 2), python_executable="/usr/bin/python3")
    assert [problem.what.split(" (")[0] for problem in problems] == ["Python 3.11", "Java 17 or newer", "Maven"]
    text = describe(problems)
    assert "found: Python 3.9.2 at /usr/bin/python3" in text
    assert "apt-get install python3.11 python3.11-venv" in text
    assert "no `java` on PATH" in text and "apt-get install openjdk-17-jre-headless" in text
    assert "no `mvn` on PATH" in text and "apt-get install maven" in text


def test_a_newer_python_is_refused_too_because_the_locks_are_compiled_for_3_11():
    (problem,) = missing_prerequisites(which=lookups(java="/j", mvn="/m"), run=versions(JAVA_17), python_version=(3, 13, 1))
    assert "3.13.1" in problem.found and "PYTHON=" in problem.install


def test_an_old_java_is_reported_with_its_version():
    (problem,) = missing_prerequisites(which=lookups(java="/usr/bin/java", mvn="/m"), run=versions(JAVA_8), python_version=(3, 11, 7))
    assert problem.found == "Java 8 at /usr/bin/java"


def test_a_java_that_does_not_run_is_reported_not_raised():
    def broken(argv):
        raise OSError("exec format error")

    (problem,) = missing_prerequisites(which=lookups(java="/usr/bin/java", mvn="/m"), run=broken, python_version=(3, 11, 7))
    assert problem.found == "/usr/bin/java did not run (OSError)"


def test_ensurepip_matters_only_before_the_environment_exists():
    kwargs = dict(which=lookups(java="/j", mvn="/m"), run=versions(JAVA_17), python_version=(3, 11, 2), has_ensurepip=False)
    (problem,) = missing_prerequisites(venv_exists=False, **kwargs)
    assert "python3.11-venv" in problem.install
    assert missing_prerequisites(venv_exists=True, **kwargs) == []


@pytest.mark.parametrize(
    ("output", "major"),
    [(JAVA_17, 17), (JAVA_8, 8), ('openjdk version "21" 2023-09-19', 21), ('openjdk version "11.0.22"', 11), ("no version here", None)],
)
def test_java_major_versions(output, major):
    assert java_major(output) == major


def test_an_existing_environment_is_judged_by_its_own_python():
    assert venv_python_version("home = /usr/bin\nversion = 3.11.7\n") == (3, 11, 7)
    assert venv_python_version("version_info = 3.12.1.final.0\n") == (3, 12, 1)
    assert venv_python_version("home = /usr/bin\n") is None


def _fake_command(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_the_script_run_by_make_reads_a_fake_path(tmp_path):
    """The file as the Makefile runs it: its own process, the PATH it is given, exit status and text."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_command(bin_dir, "java", "echo 'openjdk version \"11.0.2\" 2019-01-15' >&2")
    script = Path(prerequisites.__file__)
    environment = {**os.environ, "PATH": str(bin_dir)}
    ran = subprocess.run(
        [sys.executable, str(script), "--venv", str(tmp_path / "none")], env=environment, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 1
    assert f"found: Java 11 at {bin_dir / 'java'}" in ran.stderr and "no `mvn` on PATH" in ran.stderr
    _fake_command(bin_dir, "java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2")
    _fake_command(bin_dir, "mvn", "exit 0")
    ran = subprocess.run(
        [sys.executable, str(script), "--venv", str(tmp_path / "none")], env=environment, capture_output=True, text=True, timeout=60
    )
    assert (ran.returncode, ran.stderr) == (0, "")


def test_the_script_parses_on_an_older_python_so_it_can_say_the_version_is_wrong():
    ast.parse(Path(prerequisites.__file__).read_text(), feature_version=(3, 7))
