"""The rebuild reports records applied of the total known from the end offsets, on the real broker and store."""

from __future__ import annotations

import logging
import re

import pytest

from reporting.projection.rebuild import rebuild
from tests.integration.reporting import builders as b
from tests.integration.reporting.support import publish

pytestmark = pytest.mark.integration

LINE = re.compile(r"rebuild (\S+): applied ([\d,]+) of ([\d,]+) records \((\d+) %\), (about [\d,]+ s left|time left not known yet)")


async def test_progress_lines_count_up_to_every_record_with_an_estimate(reporting_settings, caplog):
    await publish(reporting_settings, [b.recruited(f"p{i}", sector="metal", workplace=f"wp-{i % 7}") for i in range(60)])
    caplog.set_level(logging.INFO, logger="reporting.projection.rebuild")

    result = await rebuild(reporting_settings, batch_records=20, progress_every=0.0)

    lines = [m for record in caplog.records if record.name == "reporting.projection.rebuild" and (m := LINE.fullmatch(record.getMessage()))]
    progress = [(int(m[2].replace(",", "")), int(m[3].replace(",", "")), int(m[4])) for m in lines]
    assert len(progress) >= 2, [record.getMessage() for record in caplog.records]
    assert all(m[1] == result.generation for m in lines)
    assert all(total == 60 for _, total, _ in progress)
    applied = [done for done, _, _ in progress]
    assert applied == sorted(applied) and applied[0] < 60
    assert progress[-1] == (60, 60, 100)
    assert lines[-1][5] == "about 0 s left"
