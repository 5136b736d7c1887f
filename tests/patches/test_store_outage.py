"""bot.patches.store_outage: turns wait for the tracker store instead of forgetting.

The PostgreSQL restart itself is in tests/ops/test_faults.py; these check the retry rules.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from bot import patches
from bot.patches import store_outage
from tools.processes import free_port

patches.install()  # as bot.rasa_server does before Rasa starts


class Flaky(InMemoryTrackerStore):
    """An in-memory store whose first ``failures`` calls fail as a lost connection would."""

    def __init__(self, failures: int) -> None:
        super().__init__(Domain.empty())
        self.failures = failures

    def _maybe_fail(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._maybe_fail()
        await super().save(tracker)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        self._maybe_fail()
        return await super().retrieve(sender_id)


def test_a_short_outage_is_waited_out_and_nothing_goes_to_memory():
    primary = Flaky(failures=3)
    store = FailSafeTrackerStore(primary)
    tracker = DialogueStateTracker("anna", slots=[])
    tracker.update(SlotSet("city", "essen"))
    asyncio.run(store.save(tracker))  # fails 3 times, then stored in the primary
    assert store._fallback_tracker_store is None  # Rasa's in-memory fallback never used
    primary.failures = 2
    again = asyncio.run(store.retrieve("anna"))
    assert again is not None and list(again.events) == list(tracker.events)


def test_a_long_outage_raises_instead_of_an_empty_conversation(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(store_outage.WAIT_ENV, "0.5")
    store = FailSafeTrackerStore(Flaky(failures=10**6))
    started = time.monotonic()
    with pytest.raises(OperationalError):
        asyncio.run(store.retrieve("anna"))
    assert 0.4 < time.monotonic() - started < 3


def test_other_errors_are_raised_at_once():
    class Broken(InMemoryTrackerStore):
        async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
            raise ValueError("a bug, not an outage")

    store = FailSafeTrackerStore(Broken(Domain.empty()))
    started = time.monotonic()
    with pytest.raises(ValueError):
        asyncio.run(store.retrieve("anna"))
    assert time.monotonic() - started < 0.1


def test_a_real_unreachable_postgresql_counts_as_an_outage(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(store_outage.WAIT_ENV, "0.3")
    # Rasa's own SQL store, pointed at a port where no PostgreSQL listens (its
    # constructor would wait for the database, so the engine is set directly).
    sql = SQLTrackerStore.__new__(SQLTrackerStore)
    sql.engine = create_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    sql.sessionmaker = sessionmaker(bind=sql.engine)
    sql.domain = Domain.empty()
    sql.event_broker = None
    started = time.monotonic()
    with pytest.raises(OperationalError):
        asyncio.run(FailSafeTrackerStore(sql).retrieve("anna"))
    assert time.monotonic() - started >= 0.3
