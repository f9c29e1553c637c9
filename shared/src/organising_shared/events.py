"""The v1 events of docs/contract.md as pydantic models.

Each event is an envelope whose `data` has a per-type shape; `Event` is the discriminated union
on `event_type`. Validation that depends on configuration (which federations exist) reads it from
the validation context: `EVENT_ADAPTER.validate_json(raw, context={"federations": {...}})`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Final, Literal, get_args
from uuid import UUID, uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)

from organising_shared.digits import has_non_ascii_digits
from organising_shared.periods import JAKARTA, PERIOD_PATTERN, Period, jakarta_today
from organising_shared.programmes import PROGRAMME_CODE_PATTERN
from organising_shared.reference import (
    FEDERATION_CODE_PATTERN,
    ActivityKind,
    AgeBand,
    CaseOutcome,
    CaseStage,
    CbaStatus,
    EmploymentStatus,
    Gender,
    LeaveReason,
    Metric,
    PlanItemKind,
    PlanItemStatus,
    Sector,
    ViolationCategory,
    region_problem,
)
from organising_shared.screening import refuse_personal_data

SCHEMA_VERSION: Final = 1
# A report dated tomorrow in Jakarta is a mistake, but clocks and time zones of federation
# systems drift: one day of grace keeps honest reports from the edge of midnight out of the DLQ.
_FUTURE_GRACE = timedelta(days=1)


def _known_federation(code: str, info: ValidationInfo) -> str:
    allowed = (info.context or {}).get("federations")
    if allowed is not None and code not in allowed:
        # Not the code itself: a reason is logged and returned, and the field may hold anything.
        raise ValueError("is not one of the configured federations")
    return code


def _known_region(code: str) -> str:
    problem = region_problem(code)
    if problem:
        raise ValueError(problem)
    return code


def _ascii_digits(identifier: str) -> str:
    # "wp-٤٢" and "wp-42" would be two workplaces (and two members, two cases) to every counter.
    if has_non_ascii_digits(identifier):
        raise ValueError("identifiers must use the digits 0-9, not fullwidth or other scripts' digits")
    return identifier


def _not_in_future(day: date) -> date:
    if day > jakarta_today() + _FUTURE_GRACE:
        raise ValueError("date is in the future (Asia/Jakarta)")
    return day


def _known_programme(code: str, info: ValidationInfo) -> str:
    allowed = (info.context or {}).get("programmes")
    if allowed is not None and code not in allowed:
        raise ValueError("is not one of the configured programmes")
    return code


def _valid_period(code: str) -> str:
    Period.parse(code)
    return code


FederationCode = Annotated[
    str,
    Field(pattern=FEDERATION_CODE_PATTERN, description="Federation code from the configured list", examples=["FSPMI"]),
    AfterValidator(_known_federation),
]
RegionCode = Annotated[
    str,
    Field(description="Kemendagri code: province `32` or regency/city `32.16`", examples=["32.16"]),
    AfterValidator(_known_region),
]
PastDate = Annotated[date, AfterValidator(_not_in_future)]
Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^\S(.*\S)?$"), AfterValidator(_ascii_digits)]
# The ids of the v1 additions are shorter (docs/contract.md: ≤64).
ShortIdentifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$"), AfterValidator(_ascii_digits)]
MemberRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="Opaque pseudonym of a member; only the recruitment service can map it to a person",
        examples=["m_9f2c4a1b7e3d"],
    ),
    AfterValidator(_ascii_digits),
]
PeriodCode = Annotated[
    str,
    Field(pattern=PERIOD_PATTERN, description="`2026`, `2026-S1` or `2026-Q3`", examples=["2026-S1"]),
    AfterValidator(_valid_period),
]
ProgrammeCode = Annotated[
    str,
    Field(pattern=PROGRAMME_CODE_PATTERN, description="Code of a configured programme", examples=["SASK-APHEDA-2026"]),
    AfterValidator(_known_programme),
]
# Bounds the contract leaves open (docs/contract.md, "Bounds"). Every count and amount the
# projections add up must stay within the store's 64-bit integers, sums included: with these
# bounds it takes hundreds of thousands of maximal events before a total could overflow, and
# a projection that meets one anyway dead-letters the event that would overflow it.
MAX_COUNT = 10_000_000  # people, units or cases in one report or one target
MAX_RUPIAH = 10**15  # money recovered in one case
MAX_TOTAL = 2**63 - 1  # a figure the platform computed (progress events): the store's int64
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Rupiah = Annotated[int, Field(ge=0, le=MAX_RUPIAH)]
Total = Annotated[int, Field(ge=0, le=MAX_TOTAL)]
# Free text is published and kept: it must not carry a phone number, NIK or e-mail address.
FreeText = Annotated[str, AfterValidator(refuse_personal_data)]


class EventData(BaseModel):
    # Unknown fields are refused, not ignored: it keeps a stray `name` or `nik` out of the stream.
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkplaceData(EventData):
    sector: Sector = Field(description="One of the five organising sectors", examples=["metal"])
    workplace_id: Identifier = Field(description="The federation's id of the workplace", examples=["wp-bekasi-0042"])
    region_code: RegionCode


class MemberRecruited(WorkplaceData):
    member_ref: MemberRef
    employment_status: EmploymentStatus = Field(examples=["permanent"])
    gender: Gender = Field(examples=["female"])
    age_band: AgeBand | None = Field(default=None, examples=["25_34"])
    recruited_on: PastDate = Field(description="Day the member joined", examples=["2026-03-14"])


class MemberLeft(WorkplaceData):
    member_ref: MemberRef
    left_on: PastDate = Field(examples=["2026-04-02"])
    reason: LeaveReason = Field(examples=["contract_ended"])


class UnionUnitEstablished(WorkplaceData):
    unit_id: Identifier = Field(description="Id of the workplace union unit (PUK)", examples=["puk-fspmi-0042"])
    founding_members: int = Field(ge=1, le=MAX_COUNT, examples=[25])
    women_on_board: Count | None = Field(default=None, examples=[2])
    established_on: PastDate = Field(examples=["2026-02-20"])


class ViolationReported(WorkplaceData):
    case_id: Identifier = Field(examples=["case-2026-0107"])
    category: ViolationCategory = Field(examples=["union_busting"])
    workers_affected: int = Field(ge=1, le=MAX_COUNT, examples=[40])
    women_affected: Count | None = Field(default=None, examples=[12])
    reported_on: PastDate = Field(examples=["2026-03-01"])
    summary: FreeText | None = Field(
        default=None, max_length=2000, description="Free text, without names, phone numbers, NIK or e-mail addresses"
    )

    @model_validator(mode="after")
    def _women_within_workers(self) -> ViolationReported:
        if self.women_affected is not None and self.women_affected > self.workers_affected:
            raise ValueError("women_affected cannot exceed workers_affected")
        return self


class ViolationCaseProgressed(EventData):
    case_id: Identifier = Field(examples=["case-2026-0107"])
    stage: CaseStage = Field(examples=["mediation"])
    changed_on: PastDate = Field(examples=["2026-03-20"])


class ViolationCaseClosed(EventData):
    case_id: Identifier = Field(examples=["case-2026-0107"])
    outcome: CaseOutcome = Field(examples=["won"])
    recovered_idr: Rupiah | None = Field(default=None, description="Money recovered for workers, in rupiah", examples=[150_000_000])
    workers_benefited: Count | None = Field(default=None, examples=[40])
    closed_on: PastDate = Field(examples=["2026-05-30"])


class SectorTargetSet(EventData):
    period: PeriodCode
    sector: Sector
    federation: FederationCode | None = Field(default=None, description="Absent: the whole confederation")
    members_recruited: Count = Field(examples=[1200])
    union_units_established: Count = Field(examples=[12])
    cases_resolved: Count = Field(examples=[30])
    set_by: Identifier = Field(description="Who set it: a role or token name, never a person's name", examples=["admin"])


class TargetMilestoneReached(EventData):
    period: PeriodCode
    sector: Sector
    federation: FederationCode | None = None
    metric: Metric
    milestone: Literal[25, 50, 75, 100]
    actual: Total
    target: Total


class SectorFallingBehind(EventData):
    period: PeriodCode
    sector: Sector
    federation: FederationCode | None = None
    metric: Metric
    actual: Total
    expected_to_date: Total
    target: Total


# v1 additions (docs/contract.md): the organising work behind the figures.

Title = Annotated[FreeText, Field(min_length=1, max_length=200)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class ActionPlanItemAdded(EventData):
    item_id: ShortIdentifier = Field(description="Id of the plan item", examples=["plan-fspmi-2026-07"])
    period: PeriodCode
    sector: Sector = Field(examples=["metal"])
    federation: FederationCode | None = Field(default=None, description="Absent: a confederation-wide item")
    kind: PlanItemKind = Field(examples=["recruitment_drive"])
    title: Title = Field(
        description="What will be done; names offices and places, never members",
        examples=["Recruitment drive at Bekasi industrial estates"],
    )
    responsible: FreeText = Field(
        min_length=1, max_length=100, description="The office responsible, never a person", examples=["DPW FSPMI Jawa Barat"]
    )
    due_on: date = Field(examples=["2026-05-31"])
    planned_count: Count | None = Field(default=None, description="How many (members, units, trainings…) the item plans", examples=[300])
    programme: ProgrammeCode | None = None


class ActionPlanItemProgressed(EventData):
    item_id: ShortIdentifier = Field(examples=["plan-fspmi-2026-07"])
    status: PlanItemStatus = Field(examples=["in_progress"])
    changed_on: PastDate = Field(examples=["2026-04-10"])
    note: FreeText | None = Field(
        default=None, max_length=1000, description="Free text, without names, phone numbers, NIK or e-mail addresses"
    )


class Participants(EventData):
    female: Count = Field(examples=[14])
    male: Count = Field(examples=[11])
    unspecified: Count = Field(examples=[0])

    @property
    def total(self) -> int:
        return self.female + self.male + self.unspecified

    @model_validator(mode="after")
    def _someone_took_part(self) -> Participants:
        if self.total < 1:
            raise ValueError("participants must add up to at least 1")
        return self


class ActivityHeld(EventData):
    activity_id: ShortIdentifier = Field(examples=["act-fspmi-2026-0031"])
    kind: ActivityKind = Field(examples=["training"])
    title: Title = Field(examples=["Basic organiser training, Bekasi"])
    held_on: PastDate = Field(examples=["2026-04-18"])
    days: int = Field(ge=1, le=30, examples=[2])
    sector: Sector | None = Field(default=None, description="Absent: an activity for several sectors")
    region_code: RegionCode
    participants: Participants
    cadres_trained: Count | None = Field(default=None, description="Participants who completed cadre training", examples=[8])
    plan_item_id: ShortIdentifier | None = Field(default=None, description="The plan item this activity carries out")
    programme: ProgrammeCode | None = None

    @model_validator(mode="after")
    def _cadres_within_participants(self) -> ActivityHeld:
        if self.cadres_trained is not None and self.cadres_trained > self.participants.total:
            raise ValueError("cadres_trained cannot exceed the participants")
        return self


class WorkplaceRegistered(EventData):
    workplace_id: Identifier = Field(description="The federation's id of the workplace", examples=["wp-bekasi-0042"])
    sector: Sector = Field(examples=["metal"])
    region_code: RegionCode
    employer: FreeText = Field(min_length=1, max_length=200, description="The company", examples=["PT Contoh Komponen Indonesia"])
    workforce: int = Field(ge=1, le=MAX_COUNT, description="Workers employed at the workplace", examples=[1800])
    women_percent: Percent | None = Field(default=None, examples=[35])
    outsourced_percent: Percent | None = Field(default=None, examples=[20])
    cba: CbaStatus = Field(description="The collective agreement (PKB)", examples=["in_force"])
    cba_expires_on: date | None = Field(default=None, examples=["2027-03-31"])


_WORKPLACE_CHANGES = ("employer", "workforce", "women_percent", "outsourced_percent", "cba", "cba_expires_on")


class WorkplaceUpdated(EventData):
    workplace_id: Identifier = Field(examples=["wp-bekasi-0042"])
    changed_on: PastDate = Field(examples=["2026-06-02"])
    employer: FreeText | None = Field(default=None, min_length=1, max_length=200)
    workforce: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    women_percent: Percent | None = None
    outsourced_percent: Percent | None = None
    cba: CbaStatus | None = None
    cba_expires_on: date | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> WorkplaceUpdated:
        if all(getattr(self, name) is None for name in _WORKPLACE_CHANGES):
            raise ValueError("a WorkplaceUpdated names at least one of " + ", ".join(_WORKPLACE_CHANGES))
        return self


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: UUID = Field(default_factory=uuid4, description="Unique per event; a redelivery changes nothing")
    schema_version: Literal[1] = SCHEMA_VERSION
    occurred_at: AwareDatetime = Field(examples=["2026-03-14T09:30:00+07:00"])
    federation: FederationCode
    producer: Identifier = Field(description="The system that produced the event", examples=["fspmi-membership"])

    if TYPE_CHECKING:  # each event type's envelope declares its own; these say what every one has
        event_type: str
        data: EventData


class MemberRecruitedEvent(Envelope):
    event_type: Literal["MemberRecruited"] = "MemberRecruited"
    data: MemberRecruited


class MemberLeftEvent(Envelope):
    event_type: Literal["MemberLeft"] = "MemberLeft"
    data: MemberLeft


class UnionUnitEstablishedEvent(Envelope):
    event_type: Literal["UnionUnitEstablished"] = "UnionUnitEstablished"
    data: UnionUnitEstablished


class ViolationReportedEvent(Envelope):
    event_type: Literal["ViolationReported"] = "ViolationReported"
    data: ViolationReported


class ViolationCaseProgressedEvent(Envelope):
    event_type: Literal["ViolationCaseProgressed"] = "ViolationCaseProgressed"
    data: ViolationCaseProgressed


class ViolationCaseClosedEvent(Envelope):
    event_type: Literal["ViolationCaseClosed"] = "ViolationCaseClosed"
    data: ViolationCaseClosed


class SectorTargetSetEvent(Envelope):
    event_type: Literal["SectorTargetSet"] = "SectorTargetSet"
    data: SectorTargetSet


class TargetMilestoneReachedEvent(Envelope):
    event_type: Literal["TargetMilestoneReached"] = "TargetMilestoneReached"
    data: TargetMilestoneReached


class SectorFallingBehindEvent(Envelope):
    event_type: Literal["SectorFallingBehind"] = "SectorFallingBehind"
    data: SectorFallingBehind


class ActionPlanItemAddedEvent(Envelope):
    event_type: Literal["ActionPlanItemAdded"] = "ActionPlanItemAdded"
    data: ActionPlanItemAdded


class ActionPlanItemProgressedEvent(Envelope):
    event_type: Literal["ActionPlanItemProgressed"] = "ActionPlanItemProgressed"
    data: ActionPlanItemProgressed


class ActivityHeldEvent(Envelope):
    event_type: Literal["ActivityHeld"] = "ActivityHeld"
    data: ActivityHeld


class WorkplaceRegisteredEvent(Envelope):
    event_type: Literal["WorkplaceRegistered"] = "WorkplaceRegistered"
    data: WorkplaceRegistered


class WorkplaceUpdatedEvent(Envelope):
    event_type: Literal["WorkplaceUpdated"] = "WorkplaceUpdated"
    data: WorkplaceUpdated


Event = Annotated[
    MemberRecruitedEvent
    | MemberLeftEvent
    | UnionUnitEstablishedEvent
    | ViolationReportedEvent
    | ViolationCaseProgressedEvent
    | ViolationCaseClosedEvent
    | SectorTargetSetEvent
    | TargetMilestoneReachedEvent
    | SectorFallingBehindEvent
    | ActionPlanItemAddedEvent
    | ActionPlanItemProgressedEvent
    | ActivityHeldEvent
    | WorkplaceRegisteredEvent
    | WorkplaceUpdatedEvent,
    Field(discriminator="event_type"),
]
EVENT_CLASSES: tuple[type[Envelope], ...] = get_args(get_args(Event)[0])
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: dict[str, type[Envelope]] = {cls.model_fields["event_type"].default: cls for cls in EVENT_CLASSES}


def new_event(
    event_type: type[Envelope], *, federation: str, producer: str, data: EventData, occurred_at: datetime | None = None
) -> Envelope:
    """Build an event for publishing, stamped now (Asia/Jakarta offset)."""
    return event_type(  # type: ignore[call-arg]  # `event_type` has its default in every event type's envelope
        federation=federation,
        producer=producer,
        occurred_at=occurred_at or datetime.now(JAKARTA),
        data=data,
    )


def to_json(event: Envelope) -> bytes:
    """The wire form: UTF-8 JSON, optional fields left out rather than sent as null."""
    return event.model_dump_json(exclude_none=True).encode()
