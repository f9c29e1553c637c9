"""`/api/v1/subscriptions`: an admin or a federation creates, lists, pauses and deletes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from pymongo import ReturnDocument

from notifications.api.context import COMMON_RESPONSES, Context, Problem, owner_filter
from notifications.api.schemas import SubscriptionCreate, SubscriptionPublic
from notifications.domain.addresses import webhook_target_problem
from notifications.store import DELIVERIES, SUBSCRIPTIONS, DeliveryStatus, receiver_of
from organising_shared.auth.dependencies import WriterPrincipal, ensure_may_act_for
from organising_shared.auth.principal import Principal

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions"], responses=COMMON_RESPONSES)

UNPROCESSABLE = 422  # named differently across Starlette versions
_NOT_FOUND = "no such subscription (or it belongs to another federation)"
_MAY_BE_MISSING: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": _NOT_FOUND}}


def _owner_for(principal: Principal, requested: str | None, known: tuple[str, ...]) -> str | None:
    if requested is not None and requested not in known:
        raise HTTPException(UNPROCESSABLE, "federation: is not one of the configured federations")
    if principal.is_admin:
        return requested
    owner = requested or principal.federation
    assert owner is not None  # a federation token always names its federation
    ensure_may_act_for(principal, owner)
    return owner


def _check_filters(body: SubscriptionCreate, owner: str | None, known: tuple[str, ...]) -> None:
    unknown = [index for index, code in enumerate(body.filters.federations) if code not in known]
    if unknown:
        # By position (as validation errors name list items), never the submitted code.
        raise HTTPException(
            UNPROCESSABLE, "; ".join(f"filters.federations.{index}: is not one of the configured federations" for index in unknown)
        )
    if owner is not None and any(code != owner for code in body.filters.federations):
        raise HTTPException(
            UNPROCESSABLE,
            f"filters.federations: a subscription of {owner} receives only {owner}'s notices",
        )


def _visible(principal: Principal, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None or not (principal.is_admin or row.get("owner") == principal.federation):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_FOUND)
    return row


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionPublic, summary="Create a subscription")
async def create_subscription(body: SubscriptionCreate, principal: WriterPrincipal, context: Context) -> SubscriptionPublic:
    settings = context.settings
    owner = _owner_for(principal, body.federation, settings.federations)
    _check_filters(body, owner, settings.federations)
    if body.channel.type == "webhook":
        url = str(body.channel.url)
        problem = await webhook_target_problem(url, allow_private=settings.allow_private_webhooks)
        if problem:
            raise HTTPException(UNPROCESSABLE, f"channel.url: {problem}")
        channel = {"type": "webhook", "url": url, **context.secrets.seal(body.channel.secret.get_secret_value())}
    else:
        channel = {"type": "email", "address": str(body.channel.address)}
    row = {
        "_id": str(uuid.uuid4()),
        "owner": owner,
        "description": body.description,
        "channel": channel,
        "receiver": receiver_of(channel),
        "filters": body.filters.model_dump(mode="json"),
        "paused": body.paused,
        "created_at": datetime.now(UTC),
        "created_by": principal.name,
    }
    await context.database[SUBSCRIPTIONS].insert_one(row)
    return SubscriptionPublic.of(row)


@router.get("", response_model=list[SubscriptionPublic], summary="List subscriptions (a federation sees its own)")
async def list_subscriptions(
    principal: WriterPrincipal, context: Context, federation: str | None = Query(default=None, description="Owner (admin only)")
) -> list[SubscriptionPublic]:
    query: dict[str, Any] = owner_filter(principal, federation)
    rows = await context.database[SUBSCRIPTIONS].find(query, sort=[("created_at", 1)]).to_list()
    return [SubscriptionPublic.of(row) for row in rows]


@router.get("/{subscription_id}", responses=_MAY_BE_MISSING, response_model=SubscriptionPublic, summary="One subscription")
async def get_subscription(subscription_id: str, principal: WriterPrincipal, context: Context) -> SubscriptionPublic:
    row = _visible(principal, await context.database[SUBSCRIPTIONS].find_one({"_id": subscription_id}))
    return SubscriptionPublic.of(row)


async def _set_paused(subscription_id: str, paused: bool, principal: Principal, context: Any) -> SubscriptionPublic:
    collection = context.database[SUBSCRIPTIONS]
    _visible(principal, await collection.find_one({"_id": subscription_id}))
    row = await collection.find_one_and_update({"_id": subscription_id}, {"$set": {"paused": paused}}, return_document=ReturnDocument.AFTER)
    return SubscriptionPublic.of(_visible(principal, row))


@router.post(
    "/{subscription_id}/pause",
    responses=_MAY_BE_MISSING,
    response_model=SubscriptionPublic,
    summary="Pause: events that arrive while paused are not notified (deliveries already queued still go out)",
)
async def pause_subscription(subscription_id: str, principal: WriterPrincipal, context: Context) -> SubscriptionPublic:
    return await _set_paused(subscription_id, True, principal, context)


@router.post(
    "/{subscription_id}/resume", responses=_MAY_BE_MISSING, response_model=SubscriptionPublic, summary="Resume a paused subscription"
)
async def resume_subscription(subscription_id: str, principal: WriterPrincipal, context: Context) -> SubscriptionPublic:
    return await _set_paused(subscription_id, False, principal, context)


@router.delete(
    "/{subscription_id}",
    responses=_MAY_BE_MISSING,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a subscription; its deliveries not yet sent are cancelled, its log is kept",
)
async def delete_subscription(subscription_id: str, principal: WriterPrincipal, context: Context) -> Response:
    collection = context.database[SUBSCRIPTIONS]
    _visible(principal, await collection.find_one({"_id": subscription_id}))
    await collection.delete_one({"_id": subscription_id})
    await context.database[DELIVERIES].update_many(
        {"subscription_id": subscription_id, "status": {"$in": [DeliveryStatus.PENDING, DeliveryStatus.RETRYING]}},
        {"$set": {"status": DeliveryStatus.CANCELLED, "last_error": "the subscription was deleted"}},
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
