"""Records a federation system could get wrong: a valid event (valid.py) mutated once, or bytes
that are not an event at all. Each mutation says what it did, for the failure report.

What a consumer must do with each is not decided here: `decode_event` decides (the tests compare
its verdict with what the services did); what is checked here is only that nothing raises and
no reason repeats a submitted value.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from organising_shared.topics import TOPIC_OF_EVENT_TYPE
from tests.fuzz.events.valid import topic_of, valid_event

TOPICS = sorted(set(TOPIC_OF_EVENT_TYPE.values()))
HUGE = [10**20, 2**63, -(2**63) - 1, 10**100]
# Digits of other scripts: Arabic-Indic, Devanagari, fullwidth, Balinese.
_DIGIT_ZEROS = ["\u0660", "\u0966", "\uff10", "\u1b50"]
_WRONG_TYPES = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=20), st.lists(st.integers(), max_size=3), st.just({})
)
# Keys a confused exporter adds (with personal data in them), or anything at all.
_UNKNOWN_KEYS = st.one_of(st.sampled_from(["nik", "nama", "phone", "full_name", "ktp", "alamat"]), st.text(min_size=1, max_size=30))
_PERSONAL_VALUES = st.sampled_from(["3216012345670001", "Siti Rahayu binti Ahmad", "+62 812-3456-7890", "0812 3456 7890"])


@dataclass(frozen=True)
class Record:
    """One Kafka record to publish: the topic (contract name), its value, and what was done."""

    topic: str
    value: bytes
    mutation: str
    document: Any = None  # the JSON document, when the value is one

    @property
    def key(self) -> bytes:
        data = self.document.get("data") if isinstance(self.document, dict) else None
        if isinstance(data, dict):
            for field in ("workplace_id", "case_id", "sector"):
                if isinstance(data.get(field), str) and data[field]:
                    return data[field].encode("utf-8", "replace")[:100]
        return b"fuzz"


def as_record(event: dict[str, Any], mutation: str = "valid", topic: str = "") -> Record:
    """`topic` left empty: the event's own topic (mutated() fills it in when the type is gone)."""
    return Record(topic, json.dumps(event, ensure_ascii=False).encode(), mutation, event)


def as_record_on_its_topic(event: dict[str, Any]) -> Record:
    return dataclasses.replace(as_record(event), topic=topic_of(event))


@st.composite
def mutated(draw: st.DrawFn, kind: str | None = None) -> Record:
    """A valid event mutated by `kind` (one of `KINDS`), or by any kind."""
    event = draw(valid_event())
    home = topic_of(event)
    kind = kind or draw(st.sampled_from(KINDS))
    record = _MUTATIONS[kind](draw, event)
    return record if record.topic else dataclasses.replace(record, topic=home)


def records() -> st.SearchStrategy[Record]:
    """About half valid events on their own topic, half mutations of every kind."""
    return st.one_of(valid_event().map(as_record_on_its_topic), mutated())


def _leaf_paths(document: dict[str, Any]) -> list[tuple[str, ...]]:
    paths = [(key,) for key in document if key != "data"]
    paths += [("data", key) for key in document.get("data", {})]
    return paths


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _int_paths(event: dict[str, Any]) -> list[tuple[str, ...]]:
    return [("data", key) for key, value in event["data"].items() if isinstance(value, int) and not isinstance(value, bool)]


def _string_paths(event: dict[str, Any]) -> list[tuple[str, ...]]:
    return [path for path in _leaf_paths(event) if isinstance(_get(event, path), str)]


def _get(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _drop_field(draw, event):
    path = draw(st.sampled_from(_leaf_paths(event)))
    target = event["data"] if path[0] == "data" else event
    del target[path[-1]]
    return as_record(event, f"dropped {'.'.join(path)}")


def _wrong_type(draw, event):
    path = draw(st.sampled_from(_leaf_paths(event)))
    _set(event, path, draw(_WRONG_TYPES))
    return as_record(event, f"wrong type at {'.'.join(path)}")


def _huge_number(draw, event):
    paths = _int_paths(event) or [("schema_version",)]
    path = draw(st.sampled_from(paths))
    _set(event, path, draw(st.sampled_from(HUGE)))
    return as_record(event, f"huge number at {'.'.join(path)}")


def _negative_number(draw, event):
    paths = _int_paths(event) or [("schema_version",)]
    path = draw(st.sampled_from(paths))
    _set(event, path, -draw(st.integers(1, 10**9)))
    return as_record(event, f"negative number at {'.'.join(path)}")


def _unicode_digits(draw, event):
    candidates = [p for p in _string_paths(event) if any(c.isdigit() for c in _get(event, p))] + _int_paths(event)
    if not candidates:
        return _huge_number(draw, event)
    path = draw(st.sampled_from(candidates))
    zero = ord(draw(st.sampled_from(_DIGIT_ZEROS)))
    text = str(_get(event, path))
    _set(event, path, "".join(chr(zero + int(c)) if c in "0123456789" else c for c in text))
    return as_record(event, f"digits of another script at {'.'.join(path)}")


def _unknown_field(draw, event):
    where = draw(st.sampled_from(["envelope", "data"]))
    target = event if where == "envelope" else event["data"]
    key = draw(_UNKNOWN_KEYS.filter(lambda k: k not in target))
    target[key] = draw(st.one_of(_PERSONAL_VALUES, _WRONG_TYPES))
    return as_record(event, f"unknown field in the {where}")


def _personal_data_in_a_field(draw, event):
    path = draw(st.sampled_from(_string_paths(event)))
    _set(event, path, draw(_PERSONAL_VALUES))
    return as_record(event, f"personal data in {'.'.join(path)}")


def _wrong_topic(draw, event):
    topic = draw(st.sampled_from([t for t in TOPICS if t != topic_of(event)]))
    return as_record(event, f"{event['event_type']} on {topic}", topic=topic)


def _unknown_event_type(draw, event):
    event["event_type"] = draw(st.one_of(st.sampled_from(["MemberJoined", "memberrecruited", ""]), st.text(min_size=6, max_size=80)))
    return as_record(event, "unknown event_type")


def _invalid_json(draw, event):
    raw = json.dumps(event).encode()
    cut = draw(st.integers(0, len(raw) - 1))
    garbage = draw(st.sampled_from([b"", b"}", b",", b"\x00", b"{{", b"NaN"]))
    return Record("", raw[:cut] + garbage, "invalid JSON")


def _not_utf8(draw, event):
    text = json.dumps(event, ensure_ascii=False)
    encoding = draw(st.sampled_from(["utf-16", "utf-32", "latin-1-with-ff"]))
    raw = text.encode("utf-8") + b"\xff\xfe" if encoding == "latin-1-with-ff" else text.encode(encoding)
    return Record("", raw, f"not UTF-8 ({encoding})")


def _not_an_object(draw, event):
    value = draw(st.one_of(st.just([event]), st.integers(), st.text(max_size=30), st.none()))
    return Record("", json.dumps(value).encode(), "JSON but not an object", value)


def _empty(draw, event):
    return Record("", b"", "empty value")


_MUTATIONS = {
    "drop": _drop_field,
    "wrong_type": _wrong_type,
    "huge": _huge_number,
    "negative": _negative_number,
    "unicode_digits": _unicode_digits,
    "unknown_field": _unknown_field,
    "personal_data": _personal_data_in_a_field,
    "wrong_topic": _wrong_topic,
    "unknown_event_type": _unknown_event_type,
    "invalid_json": _invalid_json,
    "not_utf8": _not_utf8,
    "not_an_object": _not_an_object,
    "empty": _empty,
}
KINDS = sorted(_MUTATIONS)
