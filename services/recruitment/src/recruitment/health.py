"""Health for a service that must keep taking writes while Kafka is away.

The shared probe counts a stopped broker as a dead loop and Kafka as a readiness dependency. Here
the outbox relay owns the broker and reconnects it, so Kafka being down is neither: writes still
commit to the store and wait in the outbox. What must be alive is the relay task; what must
answer is the store.
"""

from __future__ import annotations

from organising_shared.health import HealthProbe


class IntakeHealth(HealthProbe):
    def dead_loops(self) -> list[str]:
        return [task.get_name() for task in self._tasks if task.done()]

    async def dependencies(self) -> dict[str, str]:
        return {"store": await self._ping_store()}
