"""Projection generations: a rebuild fills a fresh set of collections, then the pointer moves.

Every projection collection is named `<generation>_<name>`; the document `{_id: "current"}` in
`generations` names the generation the API reads and the live consumer writes. The pointer only
moves inside a transaction that also touches the old generation's offset rows, so a live batch
that was writing to the old generation at that moment conflicts, retries and follows the
pointer (see `rebuild.switch_to`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

GENERATIONS = "generations"
POINTER = "current"
FIRST_GENERATION = "g1"


@dataclass(frozen=True)
class Generation:
    """The collections of one generation of the projections."""

    database: AsyncDatabase
    name: str

    def _collection(self, suffix: str) -> AsyncCollection:
        return self.database[f"{self.name}_{suffix}"]

    @property
    def counters(self) -> AsyncCollection:
        return self._collection("counters")

    @property
    def members(self) -> AsyncCollection:
        return self._collection("members")

    @property
    def units(self) -> AsyncCollection:
        return self._collection("units")

    @property
    def cases(self) -> AsyncCollection:
        return self._collection("cases")

    @property
    def targets(self) -> AsyncCollection:
        return self._collection("targets")

    @property
    def plan_items(self) -> AsyncCollection:
        return self._collection("plan_items")

    @property
    def activities(self) -> AsyncCollection:
        return self._collection("activities")

    @property
    def workplaces(self) -> AsyncCollection:
        return self._collection("workplaces")

    @property
    def workplace_members(self) -> AsyncCollection:
        """Active members per workplace, one document per federation (`read_model.workplaces`)."""
        return self._collection("workplace_members")

    @property
    def projector_name(self) -> str:
        """The name its offsets are stored under in `projection_offsets`."""
        return f"reporting.{self.name}"

    def collection_names(self) -> list[str]:
        names = ("counters", "members", "units", "cases", "targets", "plan_items", "activities", "workplaces", "workplace_members")
        return [f"{self.name}_{suffix}" for suffix in names]

    async def prepare(self) -> None:
        """Create the collections and indexes up front: not every store creates them inside a
        transaction."""
        existing = set(await self.database.list_collection_names())
        for name in self.collection_names():
            if name not in existing:
                await self.database.create_collection(name)
        await self.counters.create_index([("period", ASCENDING), ("sector", ASCENDING)])
        await self.targets.create_index([("period", ASCENDING)])
        await self.activities.create_index([("held_on", ASCENDING)])

    async def drop(self) -> None:
        for name in self.collection_names():
            await self.database.drop_collection(name)


async def current_generation(database: AsyncDatabase, session: AsyncClientSession | None = None) -> Generation:
    row = await database[GENERATIONS].find_one({"_id": POINTER}, session=session)
    return Generation(database, row["generation"] if row else FIRST_GENERATION)


async def ensure_current_generation(database: AsyncDatabase) -> Generation:
    """At start-up: the first generation when there is none yet, ready to write."""
    await database[GENERATIONS].update_one(
        {"_id": POINTER},
        {"$setOnInsert": {"generation": FIRST_GENERATION, "since": datetime.now(UTC)}},
        upsert=True,
    )
    generation = await current_generation(database)
    await generation.prepare()
    return generation


def new_generation_name(now: datetime | None = None) -> str:
    return "g" + (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S%f")
