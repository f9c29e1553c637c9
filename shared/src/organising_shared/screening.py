"""Screening free text for personal data that has a recognisable shape.

Free text (a violation's `summary`) is published on Kafka and kept for ever, so it must not hold
a phone number, a NIK or an e-mail address. A name cannot be recognised reliably; these can.
`personal_data_in(text)` says which KINDS it found, never the data itself, so that a reason
built from it can be logged and returned safely.

How numbers are recognised (a digit-run rule, not `phonenumbers`):

1. The text is brought to one spelling: NFKC (fullwidth `＋６２` becomes `+62`), every script's
   digits to 0-9, every dash to `-`, every space to ` `, invisible format characters dropped
   (a zero-width space between digits must not hide a number).
2. Dates (`2026-03-14`, `14/03/2026`, `14.03.2026`) are masked: written next to each other
   they would otherwise join into a long run.
3. A *run* is digits joined only by single separators: a space, `-`, `.`, or parentheses
   (`(021) 555-1234`), with an optional leading `+`. ` - ` (a range) and `,` do not join.
4. A run is left alone when it is money (`4.500.000`: groups of three joined by dots, or any
   run right after `Rp`/`IDR`), a Kemendagri region code (`32.16`, `32.16.05.2001`), or a list
   of small numbers (three or more groups of one or two digits). Otherwise, by its digits:
   16 digits is a NIK (a KK number or bank card has the same shape and is as personal);
   a `+` and 8-15 digits, `62` and 10-14, `0` and 9-13, or `8` and 9-12 is a phone number
   (Indonesian mobiles are 08 + 8-11 digits, landlines 0 + area code + 5-8 digits); any
   other run of 10 digits or more is a long ID or account number (NPWP, BPJS, bank account).

`phonenumbers` was considered: it is not in the lock, its matcher needs a default region and
still has to be taught NIK, money and dates, and a few lines of rule said here are easier to
review than its leniency levels. The rule is a guard against mistakes, not against someone
determined to hide a number (`nol delapan satu dua ...` passes); it refuses ten-digit amounts
written without `Rp` or separators, which the reason makes easy to fix.

Cost: one regex pass over the text finds stretches of digits and separators; only stretches of
eight digits or more go through the rules above. About 2 µs for a sentence, 0.15 ms for 2,000
characters dense with dates and amounts (measured on the shared machine, min of 7 runs).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from organising_shared.reference import PROVINCE_CODES


class PersonalDataKind(StrEnum):
    PHONE_NUMBER = "phone number"
    NIK = "NIK (national ID number)"
    ID_NUMBER = "long ID or account number"
    EMAIL_ADDRESS = "e-mail address"

    @property
    def with_article(self) -> str:
        return ("an " if self.value[0] in "aeiou" else "a ") + self.value


_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?:19|20)\d{2}([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"  # 2026-03-14
    r"|(?:0?[1-9]|[12]\d|3[01])([-./])(?:0?[1-9]|1[0-2])\2(?:19|20)\d{2}"  # 14/03/2026
    r")(?!\d)",
    re.ASCII,
)
# Stretches of digits, separators and parentheses: a cheap first pass over the whole text (a
# summary is checked in every event that carries one), so that the finer rules below only ever
# read the few short stretches that could be a number of eight digits or more.
_STRETCH = re.compile(r"\d[\d .\-()]{6,}\d", re.ASCII)
_NOT_DIGITS = re.compile(r"\D+", re.ASCII)
_JOINER = r"(?:\)[ .\-]?|[ .\-]?\(|[ .\-])"
_RUN = re.compile(rf"\(?(?:\+ ?)?\d+(?:{_JOINER}\d+)*", re.ASCII)
_PLUS_BEFORE = re.compile(r"\(?\+ ?\(?$")
_MONEY = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+", re.ASCII)
_CURRENCY_BEFORE = re.compile(r"(?:\brp\.?|\bidr)\s*\(?$", re.IGNORECASE)
_REGION_CODE = re.compile(r"\d{2}\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?", re.ASCII)
_GROUP = re.compile(r"\d+", re.ASCII)

_AT = r"(?:@|\s?[(\[{]at[)\]}]\s?)"
_DOT = r"(?:\.|\s?[(\[{]dot[)\]}]\s?)"
_EMAIL = re.compile(rf"[\w.%+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[^\W\d_]{{2,}}", re.IGNORECASE)


def personal_data_in(text: str) -> tuple[PersonalDataKind, ...]:
    """The kinds of personal data `text` appears to hold, in a fixed order; empty when none."""
    text = _one_spelling(text)
    found = {kind for stretch in _STRETCH.finditer(text) for kind in _kinds_in_stretch(text, stretch)}
    if _may_hold_an_email_address(text) and _EMAIL.search(text):
        found.add(PersonalDataKind.EMAIL_ADDRESS)
    return tuple(kind for kind in PersonalDataKind if kind in found)


def personal_data_problem(text: str) -> str | None:
    """A reason naming what was found (never the value), or None when the text looks clean."""
    kinds = personal_data_in(text)
    if not kinds:
        return None
    named = " and ".join(kind.with_article for kind in kinds)
    return f"contains what looks like {named}; free text must not hold personal data"


def refuse_personal_data(text: str) -> str:
    """A pydantic AfterValidator for free-text fields."""
    problem = personal_data_problem(text)
    if problem:
        raise ValueError(problem)
    return text


# A long number is a fine identifier (a company's NIB has 13 digits); a NIK, phone or e-mail is not.
_NOT_IN_IDENTIFIERS = (PersonalDataKind.PHONE_NUMBER, PersonalDataKind.NIK, PersonalDataKind.EMAIL_ADDRESS)


def refuse_personal_data_in_identifier(identifier: str) -> str:
    """A pydantic AfterValidator for identifiers people type (a workplace or case id)."""
    kinds = [kind for kind in personal_data_in(identifier) if kind in _NOT_IN_IDENTIFIERS]
    if kinds:
        named = " and ".join(kind.with_article for kind in kinds)
        raise ValueError(f"looks like {named}; an identifier must not be personal data")
    return identifier


def _one_spelling(text: str) -> str:
    if text.isascii():
        return text
    return "".join(_one_character(char) for char in unicodedata.normalize("NFKC", text))


def _one_character(char: str) -> str:
    if char.isascii():
        return char
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category == "Pd" or char == "\u2212":  # dashes, and the minus sign people type for one
        return "-"
    if category == "Cf":  # zero-width spaces and joiners, soft hyphens
        return ""
    return char


def _may_hold_an_email_address(text: str) -> bool:
    if "@" in text:
        return True
    lowered = text.lower()
    return "at)" in lowered or "at]" in lowered or "at}" in lowered


def _kinds_in_stretch(text: str, stretch: re.Match[str]) -> list[PersonalDataKind]:
    if len(_NOT_DIGITS.sub("", stretch.group())) < 8:
        return []
    # The stretch with what may lead it (`+62`, `(+62)`, `Rp`) and its dates masked.
    lead = _PLUS_BEFORE.search(text, max(0, stretch.start() - 4), stretch.start())
    start = lead.start() if lead else stretch.start()
    masked = _DATE.sub("#", text[start : stretch.end()])
    before = text[max(0, start - 8) : start]
    kinds = []
    for run in _RUN.finditer(masked):
        kind = _kind_of_run(run.group(), before + masked[: run.start()])
        if kind:
            kinds.append(kind)
    return kinds


def _kind_of_run(run: str, before: str) -> PersonalDataKind | None:
    spelled = run.strip("()")
    groups = _GROUP.findall(spelled)
    digits = "".join(groups)
    if len(digits) < 8:
        return None
    if _MONEY.fullmatch(spelled) or _CURRENCY_BEFORE.search(before):
        return None
    if _REGION_CODE.fullmatch(spelled) and spelled[:2] in PROVINCE_CODES:
        return None
    if len(groups) >= 3 and all(len(group) <= 2 for group in groups):
        return None
    return _kind_of_number(digits, international="+" in spelled)


def _kind_of_number(digits: str, *, international: bool) -> PersonalDataKind | None:
    length = len(digits)
    if length == 16:
        return PersonalDataKind.NIK
    if (
        (international and 8 <= length <= 15)
        or (digits.startswith("62") and 10 <= length <= 14)
        or (digits.startswith("0") and 9 <= length <= 13)
        or (digits.startswith("8") and 9 <= length <= 12)
    ):
        return PersonalDataKind.PHONE_NUMBER
    if length >= 10:
        return PersonalDataKind.ID_NUMBER
    return None
