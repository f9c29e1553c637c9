"""Digits of every script, brought to ASCII.

Python's `\\d` (and pydantic's patterns) match the digits of every script, so "３２" and "٣٢"
pass a `\\d{2}` check, and the same NIK typed in Arabic-Indic digits would hash differently from
its ASCII spelling. Identifiers are ASCII: callers either normalise with `to_ascii_digits` first
(personal identifiers at intake, so the same person is found) or refuse with
`has_non_ascii_digits` (codes in events, where the sender must fix its own data).
"""

from __future__ import annotations

import unicodedata


def to_ascii_digits(text: str) -> str:
    """`text` in NFKC (fullwidth `＋３２` becomes `+32`) with every script's decimal digit as 0-9."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKC", text)
    # NFKC folds fullwidth forms but leaves Arabic-Indic, Devanagari, Thai... digits alone.
    return "".join(_ascii_digit(char) for char in folded)


def has_non_ascii_digits(text: str) -> bool:
    """True when `text` holds a decimal digit other than 0-9 (fullwidth, Arabic-Indic, ...)."""
    if text.isascii():
        return False
    return any(not char.isascii() and unicodedata.decimal(char, None) is not None for char in text)


def _ascii_digit(char: str) -> str:
    if char.isascii():
        return char
    value = unicodedata.decimal(char, None)
    return char if value is None else str(value)
