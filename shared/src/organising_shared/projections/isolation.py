"""What a projection does when applying a batch fails: wait and try again while the failure
passes by itself, and otherwise find the events that cause it, dead-letter them, and apply the
rest (`failures` says which is which)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from organising_shared.projections.batch import (
    Delivered,
    Position,
    PreparedBatch,
    RecordLike,
    highest_offsets,
)
from organising_shared.projections.failures import is_transient, poison_reason

log = logging.getLogger(__name__)


class IsolatingProjector(Protocol):
    """What `apply_isolating` needs of a projector (`ExactlyOnceProjector`, or one that chooses
    among them, like the reporting service's)."""

    async def apply(self, batch: PreparedBatch | None) -> int: ...

    def part(self, batch: PreparedBatch, delivered: list[Delivered], reached: dict[Position, int]) -> PreparedBatch: ...

    async def dead_letter_delivered(self, item: Delivered, reason: str) -> None: ...


class BatchProjector(IsolatingProjector, Protocol):
    """What the subscriber needs: decoding a batch as well."""

    async def prepare(self, records: Sequence[RecordLike]) -> PreparedBatch | None: ...


async def retry_while_transient(
    operation: Callable[[], Awaitable[Any]],
    *,
    what: str,
    first_delay: float = 0.2,
    max_delay: float = 10.0,
    on_retry: Callable[[BaseException], None] | None = None,
) -> Any:
    """Try `operation` again, with back-off, while it fails for a reason that passes (the store or
    the broker away, a write conflict: `failures.is_transient`); any other failure is raised at
    once, since trying again would only fail again."""
    delay = first_delay
    while True:
        try:
            return await operation()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if not is_transient(error):
                raise
            if on_retry is not None:
                on_retry(error)
            log.warning("%s failed (%s); retrying in %.1f s", what, type(error).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)


async def apply_isolating(projector: IsolatingProjector, batch: PreparedBatch | None) -> int:
    """Apply `batch`; if it fails for good (`failures.is_transient` says no), find the events
    that make it fail by applying its halves, dead-letter each one that fails alone, and apply
    the rest. Returns how many events were applied.

    The halves keep the batch's order, so each partition's offsets still only move forward: the
    first half reaches its own last offsets, the second the whole batch's. One poison event in a
    batch of n costs about 2·log2(n) transactions, once. Transient failures are raised for the
    caller to retry (`retry_while_transient`): whatever halves committed before are skipped then.
    """
    try:
        return await projector.apply(batch)
    except Exception as error:
        if batch is None or is_transient(error):
            raise
        failure = error
    if len(batch.delivered) <= 1:
        for item in batch.delivered:
            await projector.dead_letter_delivered(item, poison_reason(failure))
        # Only the offsets move: the dead-lettered event is not met again.
        await projector.apply(projector.part(batch, [], batch.reached))
        return 0
    middle = len(batch.delivered) // 2
    first, second = batch.delivered[:middle], batch.delivered[middle:]
    applied = await apply_isolating(projector, projector.part(batch, first, highest_offsets(first)))
    return applied + await apply_isolating(projector, projector.part(batch, second, batch.reached))
