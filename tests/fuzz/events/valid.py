"""Hypothesis strategies for valid v1 events, read off the pydantic models in events.py.

Each data field gets a strategy from its type and bounds (enums, literals, `ge`/`le`, lengths),
except the fields whose rule lives in a validator rather than in the type: regions, federations,
periods and dates, which are drawn from what the contract accepts. An event type added to
`EVENT_CLASSES` is covered without a change here as long as its fields are of these kinds.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from datetime import date, datetime, timedelta, timezone
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from hypothesis import strategies as st
from pydantic import BaseModel

from organising_shared.events import EVENT_CLASSES, Envelope
from organising_shared.periods import jakarta_today
from organising_shared.programmes import DEFAULT_PROGRAMMES
from organising_shared.reference import DEFAULT_FEDERATIONS, PROVINCE_CODES
from organising_shared.topics import TOPIC_OF_EVENT_TYPE

PUBLISHERS = frozenset(DEFAULT_FEDERATIONS) | {"KSPI"}  # OrganisingSettings().publishers
# Counts people, units, cases or rupiah: a valid event stays in a range a report could hold
# (the huge ones are a mutation, see mutations.py).
REALISTIC_MAX = 10**7

_REGIONS = st.one_of(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.tuples(st.sampled_from(sorted(PROVINCE_CODES)), st.integers(1, 99)).map(lambda pair: f"{pair[0]}.{pair[1]:02d}"),
)
_IDENTIFIER = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}", fullmatch=True)
_PERIOD = st.tuples(st.integers(2020, 2030), st.sampled_from(["", "-S1", "-S2", "-Q1", "-Q2", "-Q3", "-Q4"])).map(lambda p: f"{p[0]}{p[1]}")
# Free text (summary, note) without digits: a number there may rightly be refused as a phone or NIK.
_FREE_TEXT = st.text(alphabet=st.characters(categories=["L", "Zs"]) | st.sampled_from(".,:;-()"), max_size=120)
_SHORT_TEXT = st.text(alphabet=st.characters(categories=["L", "Zs"]) | st.sampled_from(".,:;-()"), min_size=1, max_size=100)


def _past_dates() -> st.SearchStrategy[date]:
    return st.dates(date(2020, 1, 1), jakarta_today())


_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "region_code": _REGIONS,
    "federation": st.sampled_from(sorted(DEFAULT_FEDERATIONS)),
    "period": _PERIOD,
    "summary": _FREE_TEXT,
    "note": _FREE_TEXT,
    # v1 additions: titles, offices and companies are free text too; programmes are configured.
    "title": _SHORT_TEXT,
    "responsible": _SHORT_TEXT,
    "employer": _SHORT_TEXT,
    "programme": st.sampled_from(sorted(programme.code for programme in DEFAULT_PROGRAMMES)),
}


def event_types() -> list[type[Envelope]]:
    return list(EVENT_CLASSES)


@st.composite
def valid_event(draw: st.DrawFn, event_type: type[Envelope] | None = None) -> dict[str, Any]:
    """One valid event as a federation system would write it: a JSON-ready dict."""
    cls = event_type or draw(st.sampled_from(event_types()))
    data = _consistent(draw(_data_of(cls)))
    occurred = draw(st.datetimes(datetime(2020, 1, 1), datetime(2026, 1, 1), timezones=st.just(timezone(timedelta(hours=7)))))
    return {
        "event_id": str(draw(st.uuids())),
        "event_type": cls.model_fields["event_type"].default,
        "schema_version": 1,
        "occurred_at": occurred.isoformat(),
        # The confederation sets the confederation-wide targets; federations report the rest.
        "federation": draw(st.sampled_from(sorted(PUBLISHERS))),
        "producer": draw(_IDENTIFIER),
        "data": data,
    }


def whole_number_fields(cls: type[Envelope]) -> list[str]:
    """The data fields of an event type that hold an integer, optional ones included."""
    model = cls.model_fields["data"].annotation
    return [name for name, info in model.model_fields.items() if _unwrap(info.annotation, list(info.metadata))[0] is int]


def topic_of(event: dict[str, Any]) -> str:
    return TOPIC_OF_EVENT_TYPE[event["event_type"]]


@functools.cache
def _data_of(cls: type[Envelope]) -> st.SearchStrategy[dict[str, Any]]:
    return _model_dict(cls.model_fields["data"].annotation)


def _model_dict(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    required, optional = {}, {}
    for name, info in model.model_fields.items():
        strategy = _field(name, info.annotation, list(info.metadata))
        (required if info.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def _field(name: str, annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    annotation, metadata, nullable = _unwrap(annotation, metadata)
    base = _BY_NAME[name] if name in _BY_NAME else _by_type(annotation, metadata)
    # Optional fields are left out (fixed_dictionaries' optional) or, now and then, sent as null.
    return st.one_of(base, st.none()) if nullable and name not in _BY_NAME else base


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any], bool]:
    nullable = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        nullable = len(options) < len(typing.get_args(annotation))
        annotation = options[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        for item in extra:
            metadata = [*metadata, *getattr(item, "metadata", [item])]
    return annotation, metadata, nullable


def _by_type(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from([member.value for member in annotation])
    if typing.get_origin(annotation) is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if annotation is int:
        low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
        low = next((m.gt + 1 for m in metadata if isinstance(m, Gt)), low)
        high = next((m.le for m in metadata if isinstance(m, Le)), None)
        high = next((m.lt - 1 for m in metadata if isinstance(m, Lt)), high)
        low = 0 if low is None else low
        return st.integers(low, min(high if high is not None else REALISTIC_MAX, REALISTIC_MAX))
    if annotation is float:
        low = next((m.ge for m in metadata if isinstance(m, Ge)), 0)
        high = next((m.le for m in metadata if isinstance(m, Le)), REALISTIC_MAX)
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if annotation is date:
        return _past_dates().map(date.isoformat)
    if annotation is str:
        longest = next((m.max_length for m in metadata if isinstance(m, MaxLen)), 128)
        shortest = next((m.min_length for m in metadata if isinstance(m, MinLen)), 1)
        return _IDENTIFIER.filter(lambda text: shortest <= len(text) <= longest)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_dict(annotation)
    raise NotImplementedError(f"no strategy for {annotation!r}: add one to tests/fuzz/events/valid.py")


def _consistent(data: dict[str, Any]) -> dict[str, Any]:
    """Cross-field rules the types cannot say (the models' `model_validator`s)."""
    women, workers = data.get("women_affected"), data.get("workers_affected")
    if women is not None and workers is not None and women > workers:
        data["women_affected"] = workers
    participants = data.get("participants")
    if participants is not None:
        if sum(participants.values()) < 1:
            participants["unspecified"] = 1
        if data.get("cadres_trained") is not None:
            data["cadres_trained"] = min(data["cadres_trained"], sum(participants.values()))
    changes = ("employer", "workforce", "women_percent", "outsourced_percent", "cba", "cba_expires_on")
    if "changed_on" in data and "workplace_id" in data and all(data.get(name) is None for name in changes):
        data["workforce"] = 1
    return data
