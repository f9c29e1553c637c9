"""Raw Kafka bytes in, a valid event or a readable rejection out.

Reasons name the field and the rule it breaks, never the offending value: a federation system
that puts a name or NIK in the wrong field must not see it echoed into logs or the dead-letter
reason (the original bytes are kept in the dead-letter record for the operator, and only there).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from pydantic import ValidationError

from organising_shared import error_reasons
from organising_shared.events import EVENT_ADAPTER, EVENT_TYPES, Event
from organising_shared.topics import TOPIC_OF_EVENT_TYPE

_MAX_ERRORS_IN_REASON = 5
# The models give these defaults for code that builds a new event; a message read off the wire
# must carry them itself: an id made up at each decode would count every resend again.
_WIRE_ONLY = frozenset({"event_id", "schema_version"})


@dataclass(frozen=True)
class Rejection:
    reason: str


def decode_event(
    raw: bytes | None,
    *,
    federations: Collection[str] | None,
    topic: str | None = None,
    programmes: Collection[str] | None = None,
) -> Event | Rejection:
    """Validate one message value against the v1 contract.

    `federations` and `programmes` are the configured codes (None accepts any well-formed
    code); `topic`, when given, must be the topic the event type belongs on.
    """
    if not raw:
        return Rejection("empty message: expected a JSON event envelope")
    context = validation_context(federations=federations, programmes=programmes)
    # Nearly every message is valid: validate it in one pass (pydantic parses the JSON itself),
    # and only when that fails parse it again below, to say why in the order of the checks.
    try:
        event = EVENT_ADAPTER.validate_json(raw, strict=True, context=context)
    except ValidationError:
        pass
    else:
        if (topic is None or TOPIC_OF_EVENT_TYPE[event.event_type] == topic) and event.model_fields_set >= _WIRE_ONLY:
            return event
    try:
        # Decoded explicitly: json.loads would also take UTF-16 and UTF-32, which v1 does not allow.
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Rejection("message is not UTF-8 text")
    except json.JSONDecodeError as error:
        return Rejection(f"message is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")
    if not isinstance(document, dict):
        return Rejection("message is JSON but not an object: expected an event envelope")
    event_type = document.get("event_type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:  # an object or list is unhashable
        known = ", ".join(EVENT_TYPES)
        return Rejection(f"unknown event_type: expected one of {known}")
    if topic is not None and TOPIC_OF_EVENT_TYPE[event_type] != topic:
        return Rejection(f"{event_type} belongs on {TOPIC_OF_EVENT_TYPE[event_type]}, not on {topic}")
    try:
        # Strict JSON validation: "5" is not a count and 5.0 is not a whole number of workers.
        event = EVENT_ADAPTER.validate_json(raw, strict=True, context=context)
    except ValidationError as error:
        return Rejection(f"{event_type} is invalid: {describe_errors(error)}")
    missing = [name for name in sorted(_WIRE_ONLY) if name not in event.model_fields_set]
    return Rejection(f"{event_type} is invalid: {', '.join(missing)}: Field required (every event carries its own id and schema version)")


def validation_context(
    *, federations: Collection[str] | None, programmes: Collection[str] | None = None
) -> dict[str, frozenset[str]] | None:
    """What the event models check against configuration (organising_shared.events)."""
    context = {}
    if federations is not None:
        context["federations"] = frozenset(federations)
    if programmes is not None:
        context["programmes"] = frozenset(programmes)
    return context or None


def describe_errors(error: ValidationError) -> str:
    """`data.sector: Input should be 'chemical', …; occurred_at: Field required` — without input values."""
    # The input is read only to cut it out of messages that would repeat it (error_reasons).
    # The discriminated union puts the event type first in every error location: left out.
    errors = error.errors(include_url=False)
    return error_reasons.describe_errors(errors, skip=EVENT_TYPES, limit=_MAX_ERRORS_IN_REASON)
