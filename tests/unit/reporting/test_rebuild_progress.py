"""The rebuild's progress line: records applied of the total, the share, and the time left."""

from __future__ import annotations

import pytest

from reporting.projection.rebuild_progress import RebuildProgress, progress_line, seconds_left


@pytest.mark.parametrize(
    ("done", "total", "elapsed", "left"),
    [
        (25_000, 100_000, 10.0, 30.0),  # a quarter in 10 s: three quarters take 30 s more
        (50_000, 100_000, 10.0, 10.0),
        (99_000, 100_000, 99.0, 1.0),
        (100_000, 100_000, 50.0, 0.0),
        (120_000, 100_000, 50.0, 0.0),  # more than expected (the rebuild read on): nothing left
        (0, 0, 0.0, 0.0),  # empty topics
    ],
)
def test_the_time_left_is_the_rest_at_the_average_rate_so_far(done, total, elapsed, left):
    assert seconds_left(done, total, elapsed) == pytest.approx(left)


@pytest.mark.parametrize(("done", "elapsed"), [(0, 5.0), (1_000, 0.0)])
def test_without_a_rate_there_is_no_estimate(done, elapsed):
    assert seconds_left(done, 100_000, elapsed) is None


def test_the_line_says_how_many_of_how_many_the_share_and_about_how_long():
    assert progress_line("g7", 40_000, 100_000, 8.0) == "rebuild g7: applied 40,000 of 100,000 records (40 %), about 12 s left"
    assert progress_line("g7", 0, 100_000, 1.0) == "rebuild g7: applied 0 of 100,000 records (0 %), time left not known yet"
    assert progress_line("g7", 0, 0, 1.0) == "rebuild g7: applied 0 of 0 records (100 %), about 0 s left"


def test_a_batch_counts_as_applied_once_the_next_one_is_submitted_or_the_round_ends():
    now = [0.0]
    progress = RebuildProgress("g2", clock=lambda: now[0])
    progress.expect(30_000)
    progress.submitted(20_000)
    assert progress.applied == 0  # in the store's hands, not applied yet
    progress.submitted(10_000)
    assert progress.applied == 20_000
    now[0] = 4.0
    assert progress.line() == "rebuild g2: applied 20,000 of 30,000 records (67 %), about 2 s left"
    progress.all_applied()
    progress.expect(500)  # read on to where the live consumer got meanwhile
    assert (progress.applied, progress.total) == (30_000, 30_500)
