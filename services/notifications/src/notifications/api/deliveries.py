"""`/api/v1/deliveries`: the delivery log, and a manual retry of a failed delivery."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pymongo import ReturnDocument

from notifications.api.context import COMMON_RESPONSES, Context, Problem, owner_filter
from notifications.api.schemas import DeliveryPublic
from notifications.domain.notices import NoticeType
from notifications.store import DELIVERIES, DeliveryStatus
from organising_shared.auth.dependencies import WriterPrincipal
from organising_shared.problems import validation_problem

router = APIRouter(prefix="/api/v1/deliveries", tags=["deliveries"], responses=COMMON_RESPONSES)

_NOT_FOUND = "no such delivery (or it belongs to another federation)"


@router.get("", response_model=list[DeliveryPublic], summary="The delivery log, newest first (a federation sees its own)")
async def list_deliveries(
    principal: WriterPrincipal,
    context: Context,
    status_: Literal["pending", "sending", "retrying", "delivered", "failed", "cancelled"] | None = Query(default=None, alias="status"),
    subscription_id: str | None = None,
    event_id: str | None = None,
    notice_type: NoticeType | None = None,
    federation: str | None = Query(default=None, description="Owner (admin only)"),
    since: datetime | None = Query(default=None, description="Created at or after (ISO 8601 with offset)"),
    until: datetime | None = Query(default=None, description="Created before"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[DeliveryPublic]:
    query: dict[str, Any] = owner_filter(principal, federation)
    for field, value in (("status", status_), ("subscription_id", subscription_id), ("event_id", event_id)):
        if value is not None:
            query[field] = value
    if notice_type is not None:
        query["notice_type"] = notice_type.value
    created: dict[str, datetime] = {}
    if since is not None:
        created["$gte"] = _in_utc(since, "since")
    if until is not None:
        created["$lt"] = _in_utc(until, "until")
    if created:
        query["created_at"] = created
    rows = await context.database[DELIVERIES].find(query, sort=[("created_at", -1), ("_id", 1)], limit=limit).to_list()
    return [DeliveryPublic.of(row) for row in rows]


def _in_utc(moment: datetime, name: str) -> datetime:
    """The bound in UTC, as the store keeps times. One it cannot hold is refused like any bad
    value: 0001-01-01T00:00+00:01 is before year 1 in UTC (it answered 500, OverflowError)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise validation_problem([{"loc": ("query", name), "msg": "Datetime is out of range"}]) from None


@router.get(
    "/{delivery_id}", responses={404: {"model": Problem, "description": _NOT_FOUND}}, response_model=DeliveryPublic, summary="One delivery"
)
async def get_delivery(delivery_id: str, principal: WriterPrincipal, context: Context) -> DeliveryPublic:
    row = await context.database[DELIVERIES].find_one({"_id": delivery_id})
    if row is None or not (principal.is_admin or row.get("owner") == principal.federation):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_FOUND)
    return DeliveryPublic.of(row)


@router.post(
    "/{delivery_id}/retry",
    responses={404: {"model": Problem, "description": _NOT_FOUND}, 409: {"model": Problem, "description": "The delivery has not failed"}},
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
    summary="Queue a failed delivery again, with a fresh set of attempts",
)
async def retry_delivery(delivery_id: str, principal: WriterPrincipal, context: Context) -> DeliveryPublic:
    collection = context.database[DELIVERIES]
    row = await collection.find_one({"_id": delivery_id})
    if row is None or not (principal.is_admin or row.get("owner") == principal.federation):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_FOUND)
    updated = await collection.find_one_and_update(
        {"_id": delivery_id, "status": DeliveryStatus.FAILED},
        {"$set": {"status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": datetime.now(UTC)}, "$inc": {"manual_retries": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"only a failed delivery can be retried; this one is {row['status']}")
    context.dispatcher.wake()
    return DeliveryPublic.of(updated)
