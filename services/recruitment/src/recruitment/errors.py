"""What a write can refuse, independent of HTTP (api.py maps each to its status code)."""

from __future__ import annotations


class IntakeError(Exception):
    """A refusal whose message is safe to show: it names fields and rules, never personal data."""


class NotFound(IntakeError):
    pass


class Forbidden(IntakeError):
    pass


class Conflict(IntakeError):
    pass


class Invalid(IntakeError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
