"""Digits of every script brought to ASCII, and told apart from ASCII ones."""

from __future__ import annotations

import pytest

from organising_shared.digits import has_non_ascii_digits, to_ascii_digits

SPELLINGS = [
    ("3201123456780001", "3201123456780001"),
    ("３２０１１２３４５６７８０００１", "3201123456780001"),  # fullwidth
    ("٣٢٠١١٢٣٤٥٦٧٨٠٠٠١", "3201123456780001"),  # Arabic-Indic
    ("۳۲۰۱۱۲۳۴۵۶۷۸۰۰۰۱", "3201123456780001"),  # Extended Arabic-Indic
    ("३२०११२३४५६७८०००१", "3201123456780001"),  # Devanagari
    ("๓๒๐๑๑๒๓๔๕๖๗๘๐๐๐๑", "3201123456780001"),  # Thai
    ("＋６２ ８１２", "+62 812"),  # fullwidth plus and digits
    ("32.١٦", "32.16"),  # mixed scripts
    ("Siti Rahayu", "Siti Rahayu"),
]


@pytest.mark.parametrize(("text", "ascii"), SPELLINGS)
def test_every_script_s_digits_become_ascii(text, ascii):
    assert to_ascii_digits(text) == ascii


@pytest.mark.parametrize(
    ("text", "expected"), [("32.16", False), ("３２", True), ("32.١٦", True), ("wp-bekasi", False), ("Jawa Barat é", False), ("²", False)]
)
def test_non_ascii_digits_are_told_apart(text, expected):
    assert has_non_ascii_digits(text) is expected
