"""Exactly-once projections from Kafka into MongoDB, one module per concept.

The path of one batch (docs/architecture.md, "Exactly-once projections"):

1. `faststream` — the subscriber hands each batch of records to a `PipelinedProjection`, which
   decodes it while the previous batch is still being applied (`pipeline`), and commits the
   batch's Kafka offsets only once it is applied.
2. `processor` — `ExactlyOnceProjector.prepare` skips records applied before (by the positions
   in `tracking`), dead-letters what cannot be accepted, and digests the valid events;
   `ExactlyOnceProjector.apply` writes them with the positions they reach in one transaction.
3. `isolation` — a failure that passes (`failures.is_transient`) is retried; any other is
   narrowed down to the events that cause it, which are dead-lettered as poison.

A new projection needs two functions: `digest(events)` (grouping, no stored state) and
`apply(digested, session)` (its writes, all in `session`), given to an `ExactlyOnceProjector`,
and one `subscribe_projection` call in the service's consumers module. See docs/README.md.
"""

from organising_shared.projections.batch import (
    Delivered,
    PreparedBatch,
    RecordLike,
    highest_offsets,
    next_positions,
)
from organising_shared.projections.failures import (
    ApplyAgain,
    is_transient,
    poison_reason,
)
from organising_shared.projections.faststream import (
    CLOSE_TIMEOUT_SECONDS,
    PipelinedProjection,
    subscribe_projection,
    topic_behind_offsets,
)
from organising_shared.projections.isolation import (
    BatchProjector,
    apply_isolating,
    retry_while_transient,
)
from organising_shared.projections.processor import ExactlyOnceProjector
from organising_shared.projections.tracking import OFFSETS_COLLECTION

__all__ = [
    "CLOSE_TIMEOUT_SECONDS",
    "OFFSETS_COLLECTION",
    "ApplyAgain",
    "BatchProjector",
    "Delivered",
    "ExactlyOnceProjector",
    "PipelinedProjection",
    "PreparedBatch",
    "RecordLike",
    "apply_isolating",
    "highest_offsets",
    "is_transient",
    "next_positions",
    "poison_reason",
    "retry_while_transient",
    "subscribe_projection",
    "topic_behind_offsets",
]
