"""Programmes that fund organising work (docs/contract.md, "v1 additions": `programme`).

A programme (for example the SASK–APHEDA partnership) is configuration, not an event: its code,
name, partners, period and the federations and sectors it covers come from
ORGANISING_PROGRAMMES (a JSON list, or a secret file of that name). Events name a programme by
its code; an unknown code is refused at the intake and dead-lettered on Kafka.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from organising_shared.periods import PERIOD_PATTERN, Period
from organising_shared.reference import DEFAULT_FEDERATIONS, FEDERATION_CODE_PATTERN, Sector

PROGRAMME_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,39}$"

ProgrammeCode = Annotated[
    str,
    Field(pattern=PROGRAMME_CODE_PATTERN, description="Code of a configured programme", examples=["SASK-APHEDA-2026"]),
]


class Programme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: ProgrammeCode
    name: str = Field(min_length=1, max_length=200)
    partners: tuple[str, ...] = Field(min_length=1, description="Funding and implementing partners")
    period: str = Field(pattern=PERIOD_PATTERN, description="The period the programme reports on, e.g. `2026`")
    federations: tuple[Annotated[str, Field(pattern=FEDERATION_CODE_PATTERN)], ...] = Field(min_length=1)
    sectors: tuple[Sector, ...] = Field(min_length=1)

    @field_validator("period")
    @classmethod
    def _known_period(cls, code: str) -> str:
        Period.parse(code)
        return code

    def covers(self, *, federation: str | None, sector: str | None) -> bool:
        """Whether a record of `federation` in `sector` is in scope (None: not tied to one)."""
        return (federation is None or federation in self.federations) and (sector is None or sector in self.sectors)


# The demo configuration, like DEFAULT_FEDERATIONS: operators replace it with ORGANISING_PROGRAMMES.
DEFAULT_PROGRAMMES: tuple[Programme, ...] = (
    Programme(
        code="SASK-APHEDA-2026",
        name="Organising and normative rights in five industrial sectors",
        partners=("SASK (Trade Union Solidarity Centre of Finland)", "Union Aid Abroad–APHEDA", "KSPI"),
        period="2026",
        federations=DEFAULT_FEDERATIONS,
        sectors=tuple(Sector),
    ),
)


def programme_problem(code: str, programmes: tuple[Programme, ...]) -> str | None:
    """Why `code` names no configured programme (the reason never repeats the code)."""
    if any(programme.code == code for programme in programmes):
        return None
    known = ", ".join(programme.code for programme in programmes) or "none configured"
    return f"is not one of the configured programmes ({known})"
