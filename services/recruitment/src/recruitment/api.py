"""The HTTP intake under /api/v1: thin routes that authorise, then call the intake's functions."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Header, Path, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from organising_shared.auth import Principal
from organising_shared.auth.dependencies import WriterPrincipal
from organising_shared.events import Identifier, MemberRef
from organising_shared.problems import ProblemError, install_problem_details, invalid, problem_response
from recruitment import importer, reads
from recruitment.config import RecruitmentSettings
from recruitment.errors import Conflict, Forbidden, IntakeError, Invalid, NotFound
from recruitment.idempotency import MAX_KEY_LENGTH, IdempotencyKeyReused, IdempotencyScope, StoredAnswer
from recruitment.import_jobs import ImportJobs
from recruitment.intake import Intake, Write
from recruitment.schemas import (
    CaseClose,
    CaseProgress,
    EventPage,
    EventWritten,
    ImportAccepted,
    ImportReport,
    ImportStatus,
    MemberCreate,
    MemberErased,
    MemberLeave,
    MemberPage,
    MemberRegistered,
    UnionUnitCreate,
    UnitReported,
    ViolationCreate,
    ViolationRecorded,
)

IMPORT_PATH = "/members/import"
MAX_SEQUENCE = 2**63 - 1

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="Send the same key when retrying: the first answer comes back and nothing is written again",
    ),
]
MemberRefPath = Annotated[MemberRef, Path(description="The member's pseudonym, as returned at registration")]
# Ids the federations choose may hold a slash (case-fspmi-001/PUK/VII/2026): routes take them with
# `{…:path}`, so that they can be sent as %2F (decoded before routing) or as they are.
CaseIdPath = Annotated[Identifier, Path(description="The case id, as returned when the violation was reported")]
FederationQuery = Annotated[
    str | None, Query(max_length=16, description="Federation code (an admin names one; a federation token reads its own)")
]

_REFUSALS: dict[int | str, dict[str, Any]] = {
    "401": {"description": "Missing, unknown or revoked token"},
    "403": {"description": "The token's role or federation does not allow this"},
    "413": {"description": "Body larger than allowed"},
    "422": {"description": "A field breaks the contract; each reason names the field"},
}


# Async on purpose: FastAPI runs a plain `def` dependency on its thread pool, a thread hop per
# request for reading an attribute (measured by `python -m bench intake`).
async def get_intake(request: Request) -> Intake:
    return request.app.state.intake


async def get_settings(request: Request) -> RecruitmentSettings:
    return request.app.state.settings


IntakeDep = Annotated[Intake, Depends(get_intake)]
SettingsDep = Annotated[RecruitmentSettings, Depends(get_settings)]


def acting_federation(principal: Principal, requested: str | None, settings: RecruitmentSettings) -> str:
    """The federation a write or read is for: named in the request, or the token's own."""
    if requested is None:
        if principal.federation is None:
            raise Invalid("federation", "an admin token must name the federation it acts for")
        requested = principal.federation
    if requested not in settings.federations:
        raise Invalid("federation", "is not one of the configured federations")
    if not principal.may_act_for(requested):
        raise Forbidden(f"this token may not act for federation {requested}")
    return requested


def idempotency_scope(
    intake: Intake, principal: Principal, key: str | None, request: Request, body: BaseModel | bytes | None
) -> IdempotencyScope | None:
    if key is None:
        return None
    content = body if isinstance(body, bytes) else (body.model_dump_json().encode() if body is not None else b"")
    # Keyed: the content may hold a name or NIK, and the fingerprint is stored.
    fingerprint = intake.vault.fingerprint("request", request.method, request.url.path, hashlib.sha256(content).hexdigest())
    return IdempotencyScope(principal=principal, key=key, fingerprint=fingerprint)


async def answer(intake: Intake, write: Write, scope: IdempotencyScope | None) -> JSONResponse:
    stored: StoredAnswer = await intake.execute(write, scope)
    # The intake says what happened; HTTP is said here.
    return JSONResponse(stored.body, status_code=status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=_REFUSALS)

    @router.post(
        "/members",
        status_code=status.HTTP_201_CREATED,
        response_model=MemberRegistered,
        tags=["members"],
        summary="Register a recruited member",
        responses={200: {"model": MemberRegistered, "description": "The NIK is already an active member: its member_ref, no new event"}},
    )
    async def register_member(
        body: MemberCreate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        federation = acting_federation(principal, body.federation, settings)
        return await answer(intake, intake.register_member(federation, body), idempotency_scope(intake, principal, key, request, body))

    @router.post(
        "/members/{member_ref}/leave", status_code=201, response_model=EventWritten, tags=["members"], summary="Record a member leaving"
    )
    async def record_leaving(
        member_ref: MemberRefPath,
        body: MemberLeave,
        principal: WriterPrincipal,
        intake: IntakeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        return await answer(
            intake, intake.record_leaving(principal, member_ref, body), idempotency_scope(intake, principal, key, request, body)
        )

    @router.delete(
        "/members/{member_ref}/personal-data",
        response_model=MemberErased,
        tags=["members"],
        summary="Erase a member's personal data (UU PDP)",
        description="Destroys the member's name, phone and NIK and the key that sealed them. The member's events stay: they never held it.",
    )
    async def erase_personal_data(member_ref: MemberRefPath, principal: WriterPrincipal, intake: IntakeDep) -> Any:
        return await intake.erase_personal_data(principal, member_ref)

    @router.post(
        IMPORT_PATH,
        response_model=ImportReport,
        tags=["members"],
        summary="Import members from a CSV file",
        description=f"Header row with the columns {', '.join(importer.COLUMNS)} (the first six required). "
        "Valid rows are registered; invalid ones are listed with their line number and reason. Uploading the same file again registers nothing twice. "
        "With `Prefer: respond-async` the answer is 202 with the import's id at once, and its progress is read at the status_url.",
        responses={202: {"model": ImportAccepted, "description": "Started in the background (Prefer: respond-async)"}},
    )
    async def import_members(
        file: Annotated[UploadFile, File(description="CSV, UTF-8, comma or semicolon separated")],
        principal: WriterPrincipal,
        intake: IntakeDep,
        settings: SettingsDep,
        request: Request,
        federation: FederationQuery = None,
        key: IdempotencyKey = None,
        prefer: Annotated[
            str | None,
            Header(
                alias="Prefer",
                max_length=256,
                description="`respond-async`: answer 202 at once and run the import in the background (progress: GET the status_url)",
            ),
        ] = None,
    ) -> Any:
        acting = acting_federation(principal, federation, settings)
        content = await file.read()
        scope = idempotency_scope(intake, principal, key, request, acting.encode() + b"\n" + content)
        if prefer and "respond-async" in prefer.lower():
            jobs: ImportJobs = request.app.state.import_jobs
            body = await jobs.start(acting, content, scope)
            return JSONResponse(body, status_code=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})
        return await importer.import_once(
            intake, scope, lambda: importer.import_members(intake, acting, content, chunk_rows=settings.import_chunk_rows)
        )

    @router.get(
        "/members/imports/{import_id}",
        response_model=ImportStatus,
        tags=["members"],
        summary="How far a background CSV import is",
        description="Rows done, registered, already registered and rejected while it runs; the whole report once it completed.",
    )
    async def import_status(
        import_id: Annotated[str, Path(max_length=64, pattern=r"^imp_[0-9a-f]{24}$")], principal: WriterPrincipal, request: Request
    ) -> Any:
        jobs: ImportJobs = request.app.state.import_jobs
        return await jobs.status(principal, import_id)

    @router.post(
        "/union-units",
        status_code=201,
        response_model=UnitReported,
        tags=["union units"],
        summary="Report a workplace union unit (PUK) established",
    )
    async def report_union_unit(
        body: UnionUnitCreate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        federation = acting_federation(principal, body.federation, settings)
        return await answer(intake, intake.report_union_unit(federation, body), idempotency_scope(intake, principal, key, request, body))

    @router.post("/violations", status_code=201, response_model=ViolationRecorded, tags=["violations"], summary="Report a violation")
    async def report_violation(
        body: ViolationCreate,
        principal: WriterPrincipal,
        intake: IntakeDep,
        settings: SettingsDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> Any:
        federation = acting_federation(principal, body.federation, settings)
        return await answer(intake, intake.report_violation(federation, body), idempotency_scope(intake, principal, key, request, body))

    @router.post(
        "/violations/{case_id:path}/progress",
        status_code=201,
        response_model=EventWritten,
        tags=["violations"],
        summary="Record a case moving to a stage",
    )
    async def progress_case(
        case_id: CaseIdPath, body: CaseProgress, principal: WriterPrincipal, intake: IntakeDep, request: Request, key: IdempotencyKey = None
    ) -> Any:
        return await answer(
            intake, intake.progress_case(principal, case_id, body), idempotency_scope(intake, principal, key, request, body)
        )

    @router.post(
        "/violations/{case_id:path}/close",
        status_code=201,
        response_model=EventWritten,
        tags=["violations"],
        summary="Close a case with its outcome",
    )
    async def close_case(
        case_id: CaseIdPath, body: CaseClose, principal: WriterPrincipal, intake: IntakeDep, request: Request, key: IdempotencyKey = None
    ) -> Any:
        return await answer(intake, intake.close_case(principal, case_id, body), idempotency_scope(intake, principal, key, request, body))

    @router.get("/events", response_model=EventPage, tags=["read back"], summary="The events the federation has reported, oldest first")
    async def list_events(
        principal: WriterPrincipal,
        intake: IntakeDep,
        settings: SettingsDep,
        federation: FederationQuery = None,
        # Sequences are stored as 64-bit integers: a larger `after` cannot be sent to the store.
        after: Annotated[int, Query(ge=0, le=MAX_SEQUENCE, description="`next_after` of the previous page")] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> Any:
        scope = None if principal.is_admin and federation is None else acting_federation(principal, federation, settings)
        return await reads.events_page(intake.db, scope, after=after, limit=limit)

    @router.get(
        "/members", response_model=MemberPage, tags=["read back"], summary="The federation's members (pseudonyms and reference data only)"
    )
    async def list_members(
        principal: WriterPrincipal,
        intake: IntakeDep,
        settings: SettingsDep,
        federation: FederationQuery = None,
        after: Annotated[str | None, Query(max_length=64, description="`next_after` of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> Any:
        scope = None if principal.is_admin and federation is None else acting_federation(principal, federation, settings)
        return await reads.members_page(intake.db, scope, after=after, limit=limit)

    return router


def install_error_handlers(app: FastAPI) -> None:
    """Every error as RFC 9457 problem details (organising_shared.problems), with readable reasons
    per field and never the submitted value (it may be a NIK or a name). The intake's refusals
    are domain errors; here they become HTTP."""
    install_problem_details(app)

    @app.exception_handler(IntakeError)
    async def refused(request: Request, error: IntakeError) -> JSONResponse:
        if isinstance(error, Invalid):
            return problem_response(invalid(error.field, error.reason))
        status, slug = {NotFound: (404, None), Forbidden: (403, None), Conflict: (409, None)}.get(type(error), (400, None))
        return problem_response(ProblemError(status, str(error), slug=slug))

    @app.exception_handler(IdempotencyKeyReused)
    async def key_reused(request: Request, error: IdempotencyKeyReused) -> JSONResponse:
        problem = invalid("header.Idempotency-Key", "was already used for a different request")
        problem.slug, problem.title = "idempotency-key-reused", "This Idempotency-Key was used for another request"
        return problem_response(problem)
