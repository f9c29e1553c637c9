"""Who is calling, and what that role may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # KSPI organising department: everything
    FEDERATION = "federation"  # writes and reads for its own federation only
    VIEWER = "viewer"  # dashboards: aggregates only, small cells suppressed


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    federation: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_act_for(self, federation: str) -> bool:
        """Writes and per-federation reads: admins for anyone, a federation for itself only."""
        return self.is_admin or (self.role is Role.FEDERATION and self.federation == federation)
