"""Per-federation ingress topics: where a federation's own system publishes (docs/federations.md).

A federation's credential may write only topics named `organising.ingress.<FEDERATION>.…` (one
prefixed ACL), so the topic an event arrives on says which credential could have sent it. The
gateway (services/gateway) checks each event against that federation and forwards it to the
canonical topic of its type. Federation codes hold no dot, so the prefix of one never covers
another's topics (`…ingress.FSP.` is not a prefix of `…ingress.FSPMI.v1`).
"""

from __future__ import annotations

INGRESS = "organising.ingress."
VERSION = "v1"


def ingress_topic(federation: str, *, prefix: str = "") -> str:
    """`organising.ingress.FSPMI.v1`, behind ORGANISING_TOPIC_PREFIX when one is set."""
    return f"{ingress_acl_prefix(federation, prefix=prefix)}{VERSION}"


def ingress_acl_prefix(federation: str, *, prefix: str = "") -> str:
    """The topic-name prefix a federation's credential may write (a PREFIXED ACL)."""
    if "." in federation:
        raise ValueError("a federation code holds no dot")
    return f"{prefix}{INGRESS}{federation}."


def federation_of_acl_prefix(resource: str, *, prefix: str = "") -> str | None:
    """The federation a PREFIXED ACL's resource name grants, or None when it is no ingress prefix."""
    head = f"{prefix}{INGRESS}"
    if not resource.startswith(head) or not resource.endswith("."):
        return None
    code = resource[len(head) : -1]
    return code if code and "." not in code else None


def federation_of_topic(topic: str, *, prefix: str = "") -> str | None:
    """`FSPMI` for `organising.ingress.FSPMI.v1`; None for any other topic."""
    head = f"{prefix}{INGRESS}"
    if not topic.startswith(head):
        return None
    code, dot, version = topic[len(head) :].partition(".")
    return code if dot and code and version == VERSION else None
