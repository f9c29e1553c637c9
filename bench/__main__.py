"""Run every benchmark module (or the ones named): `python -m bench [intake] [projection] …`.

Each module's `main()` prints its own figures and returns its rows for the summary table
(`bench.table.Row`); the table of every module that ran is printed at the end, and written to
`BENCH_TABLE` (default `var/bench/latest.md`) for the README.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from bench.table import Row, render


def main(names: list[str]) -> int:
    modules = sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)]) if info.name.startswith("bench_"))
    chosen = [m for m in modules if not names or m.removeprefix("bench_") in names or m in names]
    if not chosen:
        print(f"no benchmark matches {names}; have: {', '.join(modules)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    failed: list[str] = []
    started = time.monotonic()
    for name in chosen:
        print(f"== {name}", flush=True)
        try:
            rows += importlib.import_module(f"bench.{name}").main() or []
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
    table = render(rows)
    print(f"\n== summary ({time.monotonic() - started:.0f} s)\n\n{table}\n", flush=True)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    target = Path(os.environ.get("BENCH_TABLE", "var/bench/latest.md"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
