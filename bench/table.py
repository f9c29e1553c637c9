"""The summary table `make bench` prints at the end: one row per line of issue #17's table.

The common interface of the benchmark modules: `main()` of a `bench_*.py` module returns a list of
`Row` (or None when it has no row for the table). `python -m bench` collects the rows of every
module it ran and prints them as one Markdown table (the README carries the latest one), with each
figure, its same-run baseline and their ratio. A module adds a row by building a `Row`; nothing
else has to know about it.

    from bench.table import Row

    def main() -> list[Row]:
        ...
        return [Row("HTTP registrations/s, 16 clients", measured=412.0, baseline=390.0,
                    baseline_is="the store's bare one-write transactions/s", unit="/s",
                    goal="≥ 400 and ≥ 1.0 × baseline", met=measured >= 400 and measured >= baseline)]
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Row:
    what: str  # the wording of the figure
    measured: float
    baseline: float  # measured in the same run, on the same machine
    baseline_is: str  # what the baseline is, in a few words
    unit: str  # "/s", "ms", "events/s"…
    goal: str  # the goal, in words
    met: bool | None = None  # None: the goal cannot be judged from these figures

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else math.nan


def _figure(value: float, unit: str) -> str:
    if math.isnan(value):
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def machine() -> str:
    """The machine the table was measured on, in one line."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} CPUs{f' ({model})' if model else ''}, {platform.system()} {platform.release()}, Python {platform.python_version()}{load}"


def render(rows: Iterable[Row], *, when: datetime | None = None) -> str:
    """The rows as a Markdown table, with when and where they were measured."""
    when = when or datetime.now(UTC)
    lines = [
        f"`make bench`, {when:%Y-%m-%d %H:%M} UTC, on {machine()}",
        "",
        "| what | measured | baseline (same run) | ratio | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = "—" if row.met is None else "yes" if row.met else "**no**"
        lines.append(
            f"| {row.what} | {_figure(row.measured, row.unit)} | {_figure(row.baseline, row.unit)} ({row.baseline_is}) "
            f"| {row.ratio:.2f} | {row.goal} | {met} |"
        )
    return "\n".join(lines)
