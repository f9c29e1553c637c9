"""The services' OpenAPI documents, refined with what the contract says and the documents leave
out, so that the fuzzer's *valid* cases are accepted often enough to exercise the writes.

A path `period` is a plain string in the documents, a `region_code` any `^\\d{2}(\\.\\d{2})?$`,
a date any date: generated blind, nearly every "valid" request was refused (no target was ever
set in a run), and only the refusals were tested. Refined, the positive cases carry periods,
regions, federations and past dates that exist, and a count with no documented maximum is tried
at 10**20 (the examples phase sends it, every run); the negative cases still break every rule,
these included, and the unrefined document is what the routes themselves enforce.
"""

from __future__ import annotations

import copy
from typing import Any

from organising_shared.reference import DEFAULT_FEDERATIONS, PROVINCE_CODES

PERIOD = {"type": "string", "pattern": "^20[2-3][0-9](-S[12]|-Q[1-4])?$"}
# A past day in Asia/Jakarta whatever the clock says (the 29th-31st left out: not every month).
PAST_DATE = {"type": "string", "pattern": "^20(1[0-9]|2[0-5])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"}
REGION = {"type": "string", "enum": [*sorted(PROVINCE_CODES)[:6], "32.16", "33.01", "35.78"]}
FEDERATION = {"type": "string", "enum": list(DEFAULT_FEDERATIONS)}

HUGE = 10**20

_BY_NAME = {"period": PERIOD, "region_code": REGION, "federation": FEDERATION}


def refined(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("name") in _BY_NAME:
                    parameter["schema"] = _nullable_like(parameter.get("schema", {}), _BY_NAME[parameter["name"]])
    for schema in document.get("components", {}).get("schemas", {}).values():
        for name, prop in schema.get("properties", {}).items():
            if name in _BY_NAME:
                schema["properties"][name] = _nullable_like(prop, _BY_NAME[name])
            elif _is_date(prop):
                schema["properties"][name] = _nullable_like(prop, PAST_DATE)
            elif _is_unbounded_integer(prop):
                # Nothing says how large a count may be: try one past int64 (BSON's integers).
                prop["examples"] = [HUGE]
    return document


def _is_unbounded_integer(prop: dict[str, Any]) -> bool:
    options = [prop, *prop.get("anyOf", [])]
    return any(option.get("type") == "integer" and "maximum" not in option and "exclusiveMaximum" not in option for option in options)


def _is_date(prop: dict[str, Any]) -> bool:
    return prop.get("format") == "date" or any(option.get("format") == "date" for option in prop.get("anyOf", []))


def _nullable_like(original: dict[str, Any], refinement: dict[str, Any]) -> dict[str, Any]:
    """The refinement, still accepting null (and keeping the description) where the original did."""
    kept = {key: original[key] for key in ("description", "title", "default") if key in original}
    if any(option.get("type") == "null" for option in original.get("anyOf", [])):
        return {**kept, "anyOf": [refinement, {"type": "null"}]}
    return {**kept, **refinement}
