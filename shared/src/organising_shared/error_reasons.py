"""Validation errors as reasons a person can read, without the value that was submitted.

A reason is returned to the caller, written to dead-letter records and logged; the value may be
a NIK typed into the wrong field. So a reason names the field and the rule only:

- pydantic's `input` and `ctx` are dropped (FastAPI's default 422 returns both);
- a location part that is not a plain field name (an unknown key such as `"3201…"`) is shown as
  `<unknown field>`;
- a message that still contains the submitted text (a custom validator, a library message) has
  it cut out. Our own validators never put the value in a message; this is the net under them.

The HTTP side (every error answered as problem details) is `organising_shared.problems`;
this module is pure, since every consumer's decoding uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from organising_shared.screening import personal_data_in

UNKNOWN_FIELD = "<unknown field>"
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}", re.ASCII)
# An input is cut wherever it appears once it is this long; shorter, only where the message
# quotes it ('abc'), since cutting "code" out of "… a Kemendagri code like '32'" would garble
# the message, and a value under three characters holds nothing personal.
_SHORTEST_CUT = 8
_SHORTEST_QUOTED_CUT = 3


def safe_location(loc: Iterable[str | int]) -> list[str | int]:
    """The error location with every part that is not a plain field name hidden."""
    return [part if isinstance(part, int) or _is_field_name(part) else UNKNOWN_FIELD for part in loc]


def safe_message(item: Mapping[str, Any]) -> str:
    """The error's message without pydantic's `Value error, ` prefix, and without the input."""
    message = str(item.get("msg") or "is not valid").removeprefix("Value error, ")
    if item.get("type") == "union_tag_invalid":
        # "Input tag 'X' found using 'type' does not match any of the expected tags: ..."
        expected = (item.get("ctx") or {}).get("expected_tags", "")
        return f"does not match any of the expected tags: {expected}" if expected else "does not match any of the expected tags"
    value = item.get("input")
    if not isinstance(value, str):
        return message
    for text in {value, value.strip()}:
        if len(text) >= _SHORTEST_CUT:
            message = message.replace(text, "…")
        elif len(text) >= _SHORTEST_QUOTED_CUT:
            message = message.replace(f"'{text}'", "'…'").replace(f'"{text}"', '"…"')
    return message


def describe_errors(errors: Sequence[Mapping[str, Any]], *, skip: Iterable[str] = (), limit: int | None = None) -> str:
    """`data.sector: Input should be 'chemical', …; occurred_at: Field required`.

    `skip` are location parts left out (a discriminated union's tags); beyond `limit` errors,
    `and N more`.
    """
    hidden = frozenset(skip)
    shown = errors if limit is None else errors[:limit]
    parts = []
    for item in shown:
        location = ".".join(str(part) for part in safe_location(item.get("loc", ())) if part not in hidden)
        message = safe_message(item)
        parts.append(f"{location}: {message}" if location else message)
    if limit is not None and len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


def _is_field_name(part: str) -> bool:
    return bool(_FIELD_NAME.fullmatch(part)) and not personal_data_in(part)
