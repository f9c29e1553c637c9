"""The intake's writes: each stores its state and its event in one transaction (never one alone).

Every function here takes the federation the caller acts for, already authorised by the API.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.auth import Principal
from organising_shared.events import (
    MemberLeft,
    MemberLeftEvent,
    MemberRecruited,
    MemberRecruitedEvent,
    UnionUnitEstablished,
    UnionUnitEstablishedEvent,
    ViolationCaseClosed,
    ViolationCaseClosedEvent,
    ViolationCaseProgressed,
    ViolationCaseProgressedEvent,
    ViolationReported,
    ViolationReportedEvent,
    new_event,
)
from organising_shared.namespaces import namespace_problem
from recruitment import group_commit, outbox
from recruitment.config import RecruitmentSettings
from recruitment.errors import Conflict, Forbidden, Invalid, NotFound
from recruitment.group_commit import GroupCommit
from recruitment.idempotency import IdempotencyScope, StoredAnswer
from recruitment.schemas import CaseClose, CaseProgress, MemberCreate, MemberLeave, UnionUnitCreate, ViolationCreate
from recruitment.store import CASES, IDEMPOTENCY, IMPORT_ROWS, MEMBER_KEYS, MEMBERS, NIK_CLAIMS, UNITS
from recruitment.vault import Vault

Write = Callable[[AsyncClientSession], Awaitable["Outcome"]]
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """A write's answer plus the members it concerns (so erasure can find the records of their requests)."""

    created: bool  # False: nothing new (a member already registered answers with the existing one)
    body: dict[str, Any]
    member_ids: list[str] = field(default_factory=list)

    @property
    def answer(self) -> StoredAnswer:
        return StoredAnswer(created=self.created, body=self.body)


class Intake:
    def __init__(
        self,
        client: AsyncMongoClient,
        db: AsyncDatabase,
        vault: Vault,
        settings: RecruitmentSettings,
        *,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._client = client
        self.db = db
        self.vault = vault
        self._settings = settings
        # A store transaction costs a few round trips however much it writes: the writes waiting
        # share one (group_commit), and a few such groups commit at once.
        self._groups = GroupCommit(
            client,
            max_group=settings.intake_group_max_writes,
            linger_seconds=settings.intake_group_linger_seconds,
            max_in_flight=settings.intake_group_in_flight,
            on_commit=on_commit,
        )

    async def transaction(self, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        """Run `work` in a transaction (shared with other writes waiting: see group_commit); its result or error."""
        return await self._groups.run(work)

    # -- the transaction and idempotency frame every write runs in ----------------------------

    async def execute(self, write: Write, scope: IdempotencyScope | None) -> StoredAnswer:
        records = self.db[IDEMPOTENCY]
        if scope and (stored := await scope.recall(records)):
            return stored

        async def work(session: AsyncClientSession) -> StoredAnswer:
            # Checked again inside: a concurrent retry may have committed since the first look.
            if scope and (stored := await scope.recall(records, session)):
                return stored
            outcome = await write(session)
            if scope:
                await scope.remember(records, outcome.answer, member_ids=outcome.member_ids, session=session)
            return outcome.answer

        return await self.transaction(work)

    def _event(self, event_type: type, federation: str, data: Any):
        return new_event(event_type, federation=federation, producer=self._settings.producer_name, data=data)

    # -- members ------------------------------------------------------------------------------

    def register_member(self, federation: str, body: MemberCreate) -> Write:
        # Most registrations bring a new NIK: the claim is inserted without looking first (one
        # store round trip fewer, in the transaction its group waits for). A taken NIK makes the
        # insert fail, which aborts the transaction; the group commit runs the write again in
        # the next group, and this time it looks first and answers with the member holding the claim.
        look_first = False

        def lost_the_claim() -> None:
            nonlocal look_first
            look_first = True

        async def write(session: AsyncClientSession) -> Outcome:
            if body.nik and look_first:
                claim = await self.db[NIK_CLAIMS].find_one({"_id": self.vault.nik_lookup(federation, body.nik)}, session=session)
                if claim:
                    return Outcome(False, {"member_ref": claim["member"], "event_id": None, "already_registered": True})
            member_ref, documents, event = self.new_member(federation, body)
            await self.store_members(session, [documents], on_duplicate_claim=lost_the_claim)
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"member_ref": member_ref, "event_id": str(event.event_id)}, [member_ref])

        return write

    def new_member(self, federation: str, body: MemberCreate, *, import_row: str | None = None) -> tuple[str, dict[str, Any], Any]:
        """A new member's ref, documents and MemberRecruited event (nothing stored yet)."""
        member_ref = self.vault.member_ref(federation, self.vault.new_member_id())
        member: dict[str, Any] = {
            "_id": member_ref,
            "member_ref": member_ref,
            "federation": federation,
            "sector": body.sector.value,
            "workplace_id": body.workplace_id,
            "region_code": body.region_code,
            "status": "active",
            "recruited_on": body.recruited_on.isoformat(),
            "left_on": None,
            "personal_data": "none",
            "created_at": datetime.now(UTC),
        }
        documents: dict[str, Any] = {"member": member, "key": None, "claim": None}
        personal = body.personal_data()
        if personal:
            sealed = self.vault.seal(member_ref, personal)
            member["sealed"] = sealed.fields
            member["personal_data"] = "held"
            documents["key"] = {"_id": member_ref, "wrapped_key": sealed.wrapped_key, "key_id": sealed.key_id}
        if body.nik:
            # The member points at its claim (and import row) so that leaving and erasure find
            # them by _id, without a secondary index.
            member["nik_claim"] = self.vault.nik_lookup(federation, body.nik)
            documents["claim"] = {"_id": member["nik_claim"], "member": member_ref}
        if import_row:
            member["import_row"] = import_row
        event = self._event(
            MemberRecruitedEvent,
            federation,
            MemberRecruited(
                member_ref=member_ref,
                sector=body.sector,
                workplace_id=body.workplace_id,
                region_code=body.region_code,
                employment_status=body.employment_status,
                gender=body.gender,
                age_band=body.age_band,
                recruited_on=body.recruited_on,
            ),
        )
        return member_ref, documents, event

    async def store_members(
        self, session: AsyncClientSession, batch: list[dict[str, Any]], *, on_duplicate_claim: Callable[[], None] | None = None
    ) -> None:
        """Insert new members' documents; in a group, at its end with the other writes' (group_commit.insert)."""
        # The claims first: outside a group, a taken NIK fails before anything else is sent.
        claims = [docs["claim"] for docs in batch if docs["claim"]]
        await group_commit.insert(self.db[NIK_CLAIMS], claims, session=session, on_duplicate=on_duplicate_claim)
        await group_commit.insert(self.db[MEMBERS], [docs["member"] for docs in batch], session=session)
        await group_commit.insert(self.db[MEMBER_KEYS], [docs["key"] for docs in batch if docs["key"]], session=session)

    async def _member_for(self, session: AsyncClientSession, principal: Principal, member_ref: str) -> dict[str, Any]:
        member = await self.db[MEMBERS].find_one({"_id": member_ref}, session=session)
        if member is None:
            raise NotFound("no member with this member_ref")
        if not principal.may_act_for(member["federation"]):
            raise Forbidden(f"this token may not act for federation {member['federation']}")
        return member

    def record_leaving(self, principal: Principal, member_ref: str, body: MemberLeave) -> Write:
        async def write(session: AsyncClientSession) -> Outcome:
            member = await self._member_for(session, principal, member_ref)
            if member["status"] != "active":
                raise Conflict("the member has already left")
            if body.left_on < date.fromisoformat(member["recruited_on"]):
                raise Invalid("left_on", "is before the member was recruited")
            await self.db[MEMBERS].update_one(
                {"_id": member_ref},
                {"$set": {"status": "left", "left_on": body.left_on.isoformat()}, "$unset": {"nik_claim": ""}},
                session=session,
            )
            # Only active members hold a NIK claim: the same person may be recruited again later.
            if member.get("nik_claim"):
                await self.db[NIK_CLAIMS].delete_one({"_id": member["nik_claim"]}, session=session)
            event = self._event(
                MemberLeftEvent,
                member["federation"],
                MemberLeft(
                    member_ref=member_ref,
                    sector=member["sector"],
                    workplace_id=member["workplace_id"],
                    region_code=member["region_code"],
                    left_on=body.left_on,
                    reason=body.reason,
                ),
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"event_id": str(event.event_id)}, [member_ref])

        return write

    async def erase_personal_data(self, principal: Principal, member_ref: str) -> dict[str, Any]:
        """UU PDP erasure: shred the person's data; the member's events never held it and stay."""

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            member = await self._member_for(session, principal, member_ref)
            await self.db[MEMBERS].update_one(
                {"_id": member_ref},
                {
                    "$unset": {"sealed": "", "nik_claim": "", "import_row": ""},
                    "$set": {"personal_data": "erased" if member["personal_data"] != "none" else "none", "erased_at": datetime.now(UTC)},
                },
                session=session,
            )
            await self.db[MEMBER_KEYS].delete_one({"_id": member_ref}, session=session)
            if member.get("nik_claim"):
                await self.db[NIK_CLAIMS].delete_one({"_id": member["nik_claim"]}, session=session)
            if member.get("import_row"):
                # The row's fingerprint was computed over the person's data.
                await self.db[IMPORT_ROWS].delete_one({"_id": member["import_row"]}, session=session)
            await self.db[IDEMPOTENCY].delete_many({"member_ids": member_ref}, session=session)
            return {"member_ref": member_ref, "erased": True}

        return await self.transaction(work)

    # -- union units and violations -----------------------------------------------------------

    def _own_id(self, field: str, identifier: str | None, federation: str) -> None:
        """A caller names only ids in its federation's namespace (organising_shared.namespaces):
        reporting keys units and cases by id alone, so another's id would take over its entity."""
        if identifier is not None and (
            problem := namespace_problem(field, identifier, federation=federation, codes=self._settings.publishers)
        ):
            raise Invalid(f"body.{field}", problem)

    def report_union_unit(self, federation: str, body: UnionUnitCreate) -> Write:
        self._own_id("unit_id", body.unit_id, federation)

        async def write(session: AsyncClientSession) -> Outcome:
            unit_id = body.unit_id or f"puk-{federation.lower()}-{secrets.token_hex(6)}"
            if await self.db[UNITS].find_one({"_id": unit_id}, {"_id": 1}, session=session):
                raise Conflict("a union unit with this unit_id was already reported")
            await self.db[UNITS].insert_one(
                {"_id": unit_id, "federation": federation, "workplace_id": body.workplace_id, "created_at": datetime.now(UTC)},
                session=session,
            )
            event = self._event(
                UnionUnitEstablishedEvent,
                federation,
                UnionUnitEstablished(
                    unit_id=unit_id,
                    sector=body.sector,
                    workplace_id=body.workplace_id,
                    region_code=body.region_code,
                    founding_members=body.founding_members,
                    women_on_board=body.women_on_board,
                    established_on=body.established_on,
                ),
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"unit_id": unit_id, "event_id": str(event.event_id)})

        return write

    def report_violation(self, federation: str, body: ViolationCreate) -> Write:
        self._own_id("case_id", body.case_id, federation)

        async def write(session: AsyncClientSession) -> Outcome:
            case_id = body.case_id or f"case-{federation.lower()}-{secrets.token_hex(6)}"
            if await self.db[CASES].find_one({"_id": case_id}, {"_id": 1}, session=session):
                raise Conflict("a case with this case_id was already reported")
            await self.db[CASES].insert_one(
                {
                    "_id": case_id,
                    "federation": federation,
                    "workplace_id": body.workplace_id,
                    "reported_on": body.reported_on.isoformat(),
                    "stage": None,
                    "status": "open",
                    "created_at": datetime.now(UTC),
                },
                session=session,
            )
            event = self._event(
                ViolationReportedEvent,
                federation,
                ViolationReported(
                    case_id=case_id,
                    sector=body.sector,
                    workplace_id=body.workplace_id,
                    region_code=body.region_code,
                    category=body.category,
                    workers_affected=body.workers_affected,
                    women_affected=body.women_affected,
                    reported_on=body.reported_on,
                    summary=body.summary,
                ),
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event)])
            return Outcome(True, {"case_id": case_id, "event_id": str(event.event_id)})

        return write

    async def _open_case(self, session: AsyncClientSession, principal: Principal, case_id: str, on: date, field: str) -> dict[str, Any]:
        case = await self.db[CASES].find_one({"_id": case_id}, session=session)
        if case is None:
            raise NotFound("no case with this case_id")
        if not principal.may_act_for(case["federation"]):
            raise Forbidden(f"this token may not act for federation {case['federation']}")
        if case["status"] != "open":
            raise Conflict("the case is already closed")
        if on < date.fromisoformat(case["reported_on"]):
            raise Invalid(field, "is before the case was reported")
        return case

    def progress_case(self, principal: Principal, case_id: str, body: CaseProgress) -> Write:
        async def write(session: AsyncClientSession) -> Outcome:
            case = await self._open_case(session, principal, case_id, body.changed_on, "changed_on")
            await self.db[CASES].update_one({"_id": case_id}, {"$set": {"stage": body.stage.value}}, session=session)
            event = self._event(
                ViolationCaseProgressedEvent,
                case["federation"],
                ViolationCaseProgressed(case_id=case_id, stage=body.stage, changed_on=body.changed_on),
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event, workplace_id=case["workplace_id"])])
            return Outcome(True, {"event_id": str(event.event_id)})

        return write

    def close_case(self, principal: Principal, case_id: str, body: CaseClose) -> Write:
        async def write(session: AsyncClientSession) -> Outcome:
            case = await self._open_case(session, principal, case_id, body.closed_on, "closed_on")
            await self.db[CASES].update_one(
                {"_id": case_id}, {"$set": {"status": "closed", "outcome": body.outcome.value}}, session=session
            )
            event = self._event(
                ViolationCaseClosedEvent,
                case["federation"],
                ViolationCaseClosed(
                    case_id=case_id,
                    outcome=body.outcome,
                    recovered_idr=body.recovered_idr,
                    workers_benefited=body.workers_benefited,
                    closed_on=body.closed_on,
                ),
            )
            await outbox.append(self.db, session, [outbox.Outgoing(event, workplace_id=case["workplace_id"])])
            return Outcome(True, {"event_id": str(event.event_id)})

        return write
