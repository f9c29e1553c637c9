"""Which submitted strings a dead-letter reason must not repeat.

Every string value of the record (6+ characters, as in the HTTP checks) and every key that is not
a plain field name (a confused exporter's `"3216012345670001": …` is a value too; `full_name` is
a name a reason may give); not the contract's own words (field names, event types, enum values,
federation codes, topics), which a reason names on purpose.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from typing import Any

from organising_shared import reference
from organising_shared.events import EVENT_CLASSES, EVENT_TYPES
from organising_shared.topics import TOPIC_OF_EVENT_TYPE
from tests.fuzz.events.valid import PUBLISHERS
from tests.fuzz.http.checks import MIN_ECHO_LENGTH


def _field_names() -> set[str]:
    names: set[str] = set()
    for cls in EVENT_CLASSES:
        names |= set(cls.model_fields)
        names |= set(cls.model_fields["data"].annotation.model_fields)
    return names


def _vocabulary() -> frozenset[str]:
    words = set(EVENT_TYPES) | set(TOPIC_OF_EVENT_TYPE.values()) | set(PUBLISHERS) | _field_names()
    for value in vars(reference).values():
        if isinstance(value, type) and issubclass(value, enum.Enum):
            words |= {str(member.value) for member in value}
    return frozenset(words)


FIELD_NAMES = frozenset(_field_names())
# What a reason may show of an unknown key: an ASCII identifier (organising_shared.error_reasons).
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}", re.ASCII)
VOCABULARY = _vocabulary()


def submitted_strings(document: Any) -> set[str]:
    return {text for text in _strings(document) if len(text.strip()) >= MIN_ECHO_LENGTH and text not in VOCABULARY}


def leaked_into(reason: str, document: Any) -> list[str]:
    return sorted(text for text in submitted_strings(document) if text in reason or text.strip() in reason)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _PLAIN_NAME.fullmatch(str(key)):
                yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
