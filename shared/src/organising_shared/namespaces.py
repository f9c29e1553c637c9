"""Whose union unit or case an id names.

Reporting keys a union unit and a case by its id alone, and counts it under the federation of
its earliest report: an id another federation chose could take over its unit or close its case.
So a federation names only ids in its own namespace, `<code>-…` or, as the recruitment service
mints them, `puk-<code>-…`, `case-<code>-…`, `plan-<code>-…` and `act-<code>-…` (any case). The gateway applies this to events on
a federation's ingress topic, the recruitment intake to ids a caller chooses.
"""

from __future__ import annotations

from collections.abc import Collection

# The id that keys an entity across federations, and the kind prefix minted ids carry. Plan items
# and activities are keyed by id alone too (a plan item's progress names only its id).
# Workplaces need no rule: reporting keeps them per federation (`federation|workplace_id`).
NAMESPACED_ID = {"unit_id": "puk-", "case_id": "case-", "item_id": "plan-", "activity_id": "act-"}
_WHAT = {"unit_id": "union units", "case_id": "cases", "item_id": "plan items", "activity_id": "activities"}


def owner(identifier: str, *, kind: str, codes: Collection[str]) -> str | None:
    """The federation whose namespace `identifier` is in: `<code>-…` or `<kind><code>-…`, any case.

    The longest matching prefix wins, so `fsp-isi-7` belongs to FSP-ISI even where FSP is a
    code too, and `puk-fspmi-1` to FSPMI even where PUK is one.
    """
    lowered = identifier.lower()
    matches = [(len(head), code) for code in codes for head in (f"{code.lower()}-", f"{kind}{code.lower()}-") if lowered.startswith(head)]
    return max(matches)[1] if matches else None


def namespace_problem(field: str, identifier: str, *, federation: str, codes: Collection[str]) -> str | None:
    """Why `federation` may not name `identifier` as its `field` (None when it may)."""
    kind = NAMESPACED_ID[field]
    if owner(identifier, kind=kind, codes=codes) == federation:
        return None
    what = _WHAT[field]
    return f"must begin with '{kind}{federation.lower()}-' or '{federation.lower()}-': a federation names only its own {what}"
