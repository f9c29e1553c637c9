"""The summary table `make bench` prints: one line per row, its same-run baseline and ratio."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.table import Row, render


def test_each_row_is_printed_with_its_baseline_ratio_and_verdict():
    rows = [
        Row("webhooks/s", measured=300.0, baseline=400.0, baseline_is="bare client", unit="/s", goal="≥ 256/s", met=True),
        Row("p99", measured=310.0, baseline=290.0, baseline_is="store", unit="ms", goal="< 250 ms", met=False),
        Row("unjudged", measured=5.0, baseline=0.0, baseline_is="none", unit="", goal="—"),
    ]
    lines = render(rows, when=datetime(2026, 11, 28, 21, 0, tzinfo=UTC)).splitlines()
    assert lines[0].startswith("`make bench`, 2026-11-28 21:00 UTC, on ")
    body = lines[4:]
    assert body[0] == "| webhooks/s | 300 /s | 400 /s (bare client) | 0.75 | ≥ 256/s | yes |"
    assert body[1] == "| p99 | 310 ms | 290 ms (store) | 1.07 | < 250 ms | **no** |"
    assert body[2] == "| unjudged | 5.00 | 0.00 (none) | nan | — | — |"
