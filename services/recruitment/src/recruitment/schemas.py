"""Request and response bodies of the HTTP intake (`*Create` in, `*Public` out).

Unknown fields are refused (a stray `nama` or `ktp` column never slips through silently), and
every bound of the contract is checked here so a refused request writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from organising_shared.digits import to_ascii_digits
from organising_shared.events import FreeText, MemberRef, RegionCode
from organising_shared.events import Identifier as EventIdentifier
from organising_shared.periods import jakarta_today
from organising_shared.reference import (
    FEDERATION_CODE_PATTERN,
    AgeBand,
    CaseOutcome,
    CaseStage,
    EmploymentStatus,
    Gender,
    LeaveReason,
    Sector,
    ViolationCategory,
)
from organising_shared.screening import refuse_personal_data_in_identifier

# Counts and sums above these are typing mistakes, not reports (and would overflow int64 later).
MAX_WORKERS = 10_000_000
MAX_RUPIAH = 10**15


def _not_in_future(day: date) -> date:
    if day > jakarta_today():
        raise ValueError("date is in the future (Asia/Jakarta)")
    return day


ReportDate = Annotated[date, AfterValidator(_not_in_future), Field(examples=["2026-03-14"])]
FederationField = Annotated[
    str | None,
    Field(
        pattern=FEDERATION_CODE_PATTERN,
        description="The reporting federation. A federation token may leave it out (its own); an admin must name one.",
        examples=["FSPMI"],
    ),
]
WorkerCount = Annotated[int, Field(ge=1, le=MAX_WORKERS)]
OptionalCount = Annotated[int | None, Field(ge=0, le=MAX_WORKERS)]


def _ascii_digits(value: object) -> object:
    # A NIK or phone typed in fullwidth or Arabic-Indic digits is the same person's: brought to
    # 0-9 before the pattern and before the keyed hash, so a duplicate is found as one.
    return to_ascii_digits(value) if isinstance(value, str) else value


# Identifiers typed by people are published: a NIK or phone typed into `workplace_id` would be
# on Kafka for ever. Events from federation systems are not screened this way (their ids are
# their own; see the README, "Personal data in free text and identifiers").
Identifier = Annotated[EventIdentifier, AfterValidator(refuse_personal_data_in_identifier)]

# Personal identifiers are normalised (the same person, however typed); codes are refused when
# not in 0-9 (RegionCode, FederationField): see the README, "Digits".
PersonalDigits = BeforeValidator(_ascii_digits)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _WorkplaceBody(_Body):
    federation: FederationField = None
    sector: Sector = Field(description="One of the five organising sectors", examples=["metal"])
    workplace_id: Identifier = Field(description="The federation's id of the workplace", examples=["wp-bekasi-0042"])
    region_code: RegionCode


class MemberCreate(_WorkplaceBody):
    employment_status: EmploymentStatus = Field(examples=["permanent"])
    gender: Gender = Field(examples=["female"])
    age_band: AgeBand | None = Field(default=None, examples=["25_34"])
    recruited_on: ReportDate
    full_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Encrypted at rest; never leaves the service", examples=["Siti Rahayu"]
    )
    phone: Annotated[str | None, PersonalDigits] = Field(
        default=None,
        pattern=r"^\+?[0-9][0-9 \-]{5,22}$",
        description="Encrypted at rest; never leaves the service",
        examples=["+6281234567890"],
    )
    nik: Annotated[str | None, PersonalDigits] = Field(
        default=None,
        pattern=r"^[0-9]{16}$",
        description="National ID number (16 digits). Encrypted at rest; duplicates are found through a keyed hash",
        examples=["3216012345670001"],
    )

    def personal_data(self) -> dict[str, str]:
        return {name: value for name in ("full_name", "phone", "nik") if (value := getattr(self, name))}


class MemberLeave(_Body):
    reason: LeaveReason = Field(examples=["contract_ended"])
    left_on: ReportDate


class UnionUnitCreate(_WorkplaceBody):
    unit_id: Identifier | None = Field(default=None, description="Leave out to have one assigned", examples=["puk-fspmi-0042"])
    founding_members: WorkerCount = Field(examples=[25])
    women_on_board: OptionalCount = Field(default=None, examples=[2])
    established_on: ReportDate


class ViolationCreate(_WorkplaceBody):
    case_id: Identifier | None = Field(default=None, description="Leave out to have one assigned", examples=["case-2026-0107"])
    category: ViolationCategory = Field(examples=["union_busting"])
    workers_affected: WorkerCount = Field(examples=[40])
    women_affected: OptionalCount = Field(default=None, examples=[12])
    reported_on: ReportDate
    summary: FreeText | None = Field(
        default=None, max_length=2000, description="Free text, published in the event: no names, NIK, phone numbers or e-mail addresses"
    )

    @model_validator(mode="after")
    def _women_within_workers(self) -> ViolationCreate:
        if self.women_affected is not None and self.women_affected > self.workers_affected:
            raise ValueError("women_affected cannot exceed workers_affected")
        return self


class CaseProgress(_Body):
    stage: CaseStage = Field(examples=["mediation"])
    changed_on: ReportDate


class CaseClose(_Body):
    outcome: CaseOutcome = Field(examples=["won"])
    recovered_idr: int | None = Field(default=None, ge=0, le=MAX_RUPIAH, description="Money recovered for workers, in rupiah")
    workers_benefited: OptionalCount = Field(default=None, examples=[40])
    closed_on: ReportDate


# -- responses --------------------------------------------------------------------------------


class MemberRegistered(BaseModel):
    member_ref: MemberRef
    event_id: str | None = Field(description="None when the NIK was already registered: no new event was written")
    already_registered: bool = False


class EventWritten(BaseModel):
    event_id: str


class UnitReported(EventWritten):
    unit_id: str


class ViolationRecorded(EventWritten):
    case_id: str


class MemberErased(BaseModel):
    member_ref: MemberRef
    erased: bool = True


class RejectedLine(BaseModel):
    line: int = Field(description="Line number in the uploaded file (the header is line 1)")
    reason: str


class ImportReport(BaseModel):
    rows: int = Field(description="Data rows read")
    registered: int = Field(description="Members registered by this upload")
    already_registered: int = Field(description="Rows registered by an earlier upload, or whose NIK is already an active member")
    rejected: list[RejectedLine]


class ImportAccepted(BaseModel):
    import_id: str
    state: Literal["running"]
    status_url: str = Field(description="GET it for the import's progress")


class ImportStatus(BaseModel):
    import_id: str
    federation: str
    state: Literal["running", "completed", "failed", "interrupted"] = Field(
        description="`interrupted`: the service stopped during the import; uploading the file again registers what is missing"
    )
    rows: int | None = Field(description="Data rows in the file (null until it has been read)")
    rows_done: int
    registered: int
    already_registered: int
    rejected_count: int
    updated_at: str
    report: ImportReport | None = Field(default=None, description="Once completed: the same report a synchronous upload answers with")
    reason: str | None = None


class ReportedEvent(BaseModel):
    sequence: int
    published: bool
    event: dict[str, Any]


class EventPage(BaseModel):
    items: list[ReportedEvent]
    next_after: int | None = Field(description="Pass as `after` for the next page; None at the end")


class MemberPublic(BaseModel):
    member_ref: str
    federation: str
    sector: str
    workplace_id: str
    region_code: str
    status: str
    recruited_on: date
    left_on: date | None = None
    personal_data: str = Field(description="`held` (encrypted), `none` (never given) or `erased`")


class MemberPage(BaseModel):
    items: list[MemberPublic]
    next_after: str | None
