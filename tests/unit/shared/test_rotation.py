"""What the key commands print: counts per key in order, and progress at most every few seconds."""

from __future__ import annotations

import io

from organising_shared.rotation import ProgressPrinter, RotationTally, describe_key_counts, key_fingerprint


def test_counts_name_each_key_by_its_place_and_say_when_the_old_keys_may_go():
    out = io.StringIO()
    done = describe_key_counts(out, what="secrets", by_key={"new": 5, "old": 0}, others={"unsealed": 0}, setting="KEYS", command="cmd")
    assert done
    assert out.getvalue().splitlines() == [
        "secrets: 5",
        "  key 1 of 2 [new] (newest: seals new ones): 5",
        "  key 2 of 2 [old]: 0",
        "all under the newest key: the older keys may be removed from KEYS",
    ]


def test_counts_behind_the_newest_key_ask_for_a_rotation():
    out = io.StringIO()
    assert not describe_key_counts(out, what="secrets", by_key={"new": 1, "old": 2}, others={"unsealed": 3}, setting="KEYS", command="cmd")
    assert "  unsealed: 3" in out.getvalue() and "5 not under the newest key: run `cmd rotate`" in out.getvalue()


def test_progress_is_printed_only_once_the_interval_has_passed():
    now = [0.0]
    out = io.StringIO()
    printer = ProgressPrinter(out, every=2.0, clock=lambda: now[0])
    tally = RotationTally(total=10, seen=4, rewritten=4)
    printer(tally)
    assert out.getvalue() == ""
    now[0] = 2.5
    printer(tally)
    assert (
        out.getvalue()
        == "  4 of 10 looked at (40 %): 4 re-sealed, 0 already current, 0 changed meanwhile (left alone), 0 opened by no configured key\n"
    )


def test_a_key_fingerprint_is_stable_short_and_not_the_key():
    key = b"k" * 32
    assert key_fingerprint(key, b"a") == key_fingerprint(key, b"a") != key_fingerprint(key, b"b")
    assert len(key_fingerprint(key, b"a")) == 12 and "kkkk" not in key_fingerprint(key, b"a")
