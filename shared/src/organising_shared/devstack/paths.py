"""Where the repository's infrastructure files are."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout this code runs from: ORGANISING_REPO_ROOT, or the folder above that holds infra/."""
    if configured := os.environ.get("ORGANISING_REPO_ROOT"):
        return Path(configured).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "infra" / "kafka" / "pom.xml").is_file():
                return folder
    raise FileNotFoundError("cannot find infra/kafka/pom.xml: run from the repository or set ORGANISING_REPO_ROOT")
