"""Request and response bodies of the intake for the organising work (docs/contract.md, "v1 additions").

The bounds are the events' own (`organising_shared.events`), so a body accepted here always
makes a valid event; on top of them, as for the other intake bodies (schemas.py), ids people
type are screened for personal data, dates that must not lie ahead have no day of grace, and
unknown fields are refused. Free text (`title`, `responsible`, `note`, `employer`) is screened by
`FreeText` itself. Whether a `programme` is configured is checked by the intake (it needs the
settings): the refusal is a 422 naming `body.programme` all the same.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, model_validator

from organising_shared.events import MAX_COUNT, Count, FreeText, Participants, Percent, PeriodCode, RegionCode, ShortIdentifier
from organising_shared.programmes import ProgrammeCode
from organising_shared.reference import ActivityKind, CbaStatus, PlanItemKind, PlanItemStatus, Sector
from organising_shared.screening import refuse_personal_data_in_identifier
from recruitment.schemas import FederationField, Identifier, ReportDate, _Body

# Plan item and activity ids are shorter than the other ids (docs/contract.md: ≤64), and
# screened like them: a NIK typed as an id would be on Kafka for ever.
ShortId = Annotated[ShortIdentifier, AfterValidator(refuse_personal_data_in_identifier)]
Title = Annotated[FreeText, Field(min_length=1, max_length=200)]
ProgrammeField = Annotated[ProgrammeCode | None, Field(description="Code of a configured programme (GET /api/v1/reference lists them)")]


# -- plan items -------------------------------------------------------------------------------


class PlanItemCreate(_Body):
    item_id: ShortId | None = Field(
        default=None, description="Leave out to have one assigned (`plan-<federation>-…`)", examples=["plan-fspmi-2026-07"]
    )
    period: PeriodCode
    sector: Sector = Field(examples=["metal"])
    federation: FederationField = Field(
        default=None,
        description="The federation whose plan it is. A federation token may leave it out (its own); "
        "an admin who leaves it out adds a confederation-wide item",
    )
    kind: PlanItemKind = Field(examples=["recruitment_drive"])
    title: Title = Field(description="What will be done; names offices and places, never members", examples=["Recruitment drive, Bekasi"])
    responsible: FreeText = Field(
        min_length=1, max_length=100, description="The office responsible, never a person", examples=["DPW FSPMI Jawa Barat"]
    )
    due_on: date = Field(description="May lie ahead", examples=["2026-05-31"])
    planned_count: Count | None = Field(default=None, description="How many (members, units, trainings…) the item plans", examples=[300])
    programme: ProgrammeField = None


class PlanItemProgress(_Body):
    status: PlanItemStatus = Field(examples=["in_progress"])
    changed_on: ReportDate
    note: FreeText | None = Field(
        default=None, max_length=1000, description="Free text, published: no names, NIK, phone numbers or e-mail addresses"
    )


class PlanItemWritten(BaseModel):
    item_id: str
    event_id: str


class PlanItemPublic(BaseModel):
    item_id: str
    period: str
    sector: str
    federation: str | None = Field(description="None: a confederation-wide item")
    kind: str
    title: str
    responsible: str
    due_on: date
    planned_count: int | None
    programme: str | None
    status: str = Field(description="The latest progress by `changed_on`, then arrival; `planned` before any")
    status_changed_on: date | None
    note: str | None


class PlanItemList(BaseModel):
    items: list[PlanItemPublic]
    next_after: str | None = Field(description="Pass as `after` for the next page; None at the end")


# -- activities -------------------------------------------------------------------------------


class ActivityCreate(_Body):
    federation: FederationField = None
    activity_id: ShortId | None = Field(
        default=None, description="Leave out to have one assigned (`act-<federation>-…`)", examples=["act-fspmi-2026-0031"]
    )
    kind: ActivityKind = Field(examples=["training"])
    title: Title = Field(examples=["Basic organiser training, Bekasi"])
    held_on: ReportDate
    days: int = Field(ge=1, le=30, examples=[2])
    sector: Sector | None = Field(default=None, description="Leave out for an activity of several sectors")
    region_code: RegionCode
    participants: Participants  # the event's own model: the same bounds, and the sum of at least 1
    cadres_trained: Count | None = Field(default=None, description="Participants who completed cadre training", examples=[8])
    plan_item_id: ShortId | None = Field(default=None, description="The plan item this activity carries out")
    programme: ProgrammeField = None

    @model_validator(mode="after")
    def _cadres_within_participants(self) -> ActivityCreate:
        if self.cadres_trained is not None and self.cadres_trained > self.participants.total:
            raise ValueError("cadres_trained cannot exceed the participants")
        return self


class ActivityWritten(BaseModel):
    activity_id: str
    event_id: str


# -- workplaces -------------------------------------------------------------------------------


Employer = Annotated[FreeText, Field(min_length=1, max_length=200, description="The company", examples=["PT Contoh Komponen Indonesia"])]
Workforce = Annotated[int, Field(ge=1, le=MAX_COUNT, description="Workers employed at the workplace", examples=[1800])]


class WorkplaceCreate(_Body):
    federation: FederationField = None
    workplace_id: Identifier = Field(description="The federation's id of the workplace", examples=["wp-bekasi-0042"])
    sector: Sector = Field(examples=["metal"])
    region_code: RegionCode
    employer: Employer
    workforce: Workforce
    women_percent: Percent | None = Field(default=None, examples=[35])
    outsourced_percent: Percent | None = Field(default=None, examples=[20])
    cba: CbaStatus = Field(description="The collective agreement (PKB)", examples=["in_force"])
    cba_expires_on: date | None = Field(default=None, examples=["2027-03-31"])


WORKPLACE_CHANGES = ("employer", "workforce", "women_percent", "outsourced_percent", "cba", "cba_expires_on")


class WorkplaceUpdate(_Body):
    federation: FederationField = None
    changed_on: ReportDate
    employer: Employer | None = None
    workforce: Workforce | None = None
    women_percent: Percent | None = None
    outsourced_percent: Percent | None = None
    cba: CbaStatus | None = None
    cba_expires_on: date | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> WorkplaceUpdate:
        if all(getattr(self, name) is None for name in WORKPLACE_CHANGES):
            raise ValueError("an update names at least one of " + ", ".join(WORKPLACE_CHANGES))
        return self

    def changes(self) -> dict[str, object]:
        return {name: value for name in WORKPLACE_CHANGES if (value := getattr(self, name)) is not None}


class WorkplaceUpdateWritten(BaseModel):
    workplace_id: str
    event_id: str


class WorkplaceWritten(BaseModel):
    workplace_id: str
    event_id: str
    already_registered: bool = Field(
        default=False, description="True: registered before with the same fields; the first event_id, no new event"
    )


# -- reference data ---------------------------------------------------------------------------


class Label(BaseModel):
    code: str
    label_id: str = Field(description="Bahasa Indonesia")
    label_en: str = Field(description="English")


class ReferenceData(BaseModel):
    sectors: list[Label]
    employment_statuses: list[Label]
    genders: list[Label]
    age_bands: list[Label]
    leave_reasons: list[Label]
    violation_categories: list[Label]
    case_stages: list[Label]
    case_outcomes: list[Label]
    plan_item_kinds: list[Label]
    plan_item_statuses: list[Label]
    activity_kinds: list[Label]
    cba_statuses: list[Label]
    provinces: list[Label]
    programmes: list[Label]
    federations: list[Label]
