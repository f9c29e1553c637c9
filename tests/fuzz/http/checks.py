"""Checks on every fuzzed response, beyond schemathesis' own `not_a_server_error`.

- No stack trace in a body: an exception's text can carry anything the request held.
- No refusal that echoes what was sent: a NIK or a name typed into the wrong field must not come
  back in a 4xx reason (and from there into a federation system's logs). README: "reasons name
  the field and the rule, never the value".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from organising_shared.reference import DEFAULT_FEDERATIONS

# Shorter strings turn up inside any English sentence by chance ("is", "field").
MIN_ECHO_LENGTH = 6

_STACK_TRACE = re.compile(rb'Traceback \(most recent call last\)|File "[^"]+", line \d+|site-packages/')


def no_stack_trace(ctx: Any, response: Any, case: Any) -> bool | None:
    match = _STACK_TRACE.search(response.content or b"")
    if match:
        start = max(match.start() - 200, 0)
        excerpt = response.content[start : match.end() + 200].decode("utf-8", "replace")
        raise AssertionError(f"stack trace in the {response.status_code} body: {excerpt}")
    return None


def no_echoed_value(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 4xx body holds none of the strings of 6+ characters that were sent as query, header or body
    values. Path parameters are left out: the caller put them in the URL, and a reason may name
    the resource it could not find. Keys of objects are left out: a reason names the field."""
    if not 400 <= response.status_code < 500:
        return None  # a 2xx may rightly return what it stored (an id, a description)
    body = (response.content or b"").decode("utf-8", "replace")
    for value in submitted_strings(case) - public_vocabulary(case.operation.schema):
        if value in body or json.dumps(value)[1:-1] in body:  # as sent, or as a JSON string holds it
            raise AssertionError(f"the {response.status_code} body echoes the submitted string {value!r}: {body[:500]}")
    return None


def public_vocabulary(schema: Any) -> frozenset[str]:
    """Words the API itself defines (sectors, categories, federation codes, …: every `enum` of
    its document): naming one back ("may not act for federation FSP-PAR") leaks nothing."""
    key = id(schema)
    if key not in _VOCABULARIES:
        _VOCABULARIES[key] = frozenset(_enum_values(schema.raw_schema)) | frozenset(DEFAULT_FEDERATIONS)
    return _VOCABULARIES[key]


_VOCABULARIES: dict[int, frozenset[str]] = {}


def _enum_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from _enum_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _enum_values(item)


def submitted_strings(case: Any) -> set[str]:
    found: set[str] = set()
    for source in (case.query, case.headers, case.cookies, case.body):
        for value in _strings_in(source):
            value = value.strip()  # the services strip whitespace before they validate
            if len(value) >= MIN_ECHO_LENGTH and not value.lower().startswith("bearer "):
                found.add(value)
    return found


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings_in(item)
