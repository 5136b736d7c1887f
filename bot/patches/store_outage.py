"""Wait for the tracker store during an outage instead of forgetting the conversation.

Rasa 3.6 wraps every tracker store in ``FailSafeTrackerStore``. When the database is
unreachable (PostgreSQL restarting, a network blip) it

- answers ``retrieve`` with None, so the turn runs on a *new, empty* conversation
  (slots, language and the open question are gone), and
- writes ``save`` to a per-process in-memory store that nothing ever reads back.

Measured with two replicas and a PostgreSQL restart (tests/ops/test_faults.py): every
turn during the ~3 s restart was answered out of context and then missing from the
database. Here ``retrieve``, ``retrieve_full_tracker`` and ``save`` retry a lost
database connection with backoff for up to ``$WEGWEISER_STORE_WAIT`` seconds (default
20); the turn holds its conversation lock meanwhile, so the person's message waits and
is then answered in context and stored once. A save is safe to repeat: the SQL store
writes only the events its row count says are missing, in one transaction. If the
database stays away longer, the error is raised (the turn fails, nothing is written
half) rather than continuing on an empty conversation. Errors that are not about the
connection are raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)

WAIT_ENV = "WEGWEISER_STORE_WAIT"
DEFAULT_WAIT = 20.0
#: Errors that mean "the database is not reachable right now".
CONNECTION_ERRORS = (OperationalError, InterfaceError, DisconnectionError, ConnectionError)
MAX_PAUSE = 2.0

T = TypeVar("T")


def wait_seconds() -> float:
    """How long a turn waits for the tracker store (``$WEGWEISER_STORE_WAIT``)."""
    try:
        value = float(os.environ.get(WAIT_ENV, DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT
    return value if value >= 0 else DEFAULT_WAIT


async def retrying(call: Callable[[], Awaitable[T]], what: str) -> T:
    """``await call()``, retried with backoff while the database is unreachable."""
    deadline = time.monotonic() + wait_seconds()
    pause = 0.1
    while True:
        try:
            return await call()
        except CONNECTION_ERRORS as error:
            if time.monotonic() >= deadline:
                logger.error("tracker store %s failed for %.0f s; giving up", what, wait_seconds())
                raise
            logger.warning("tracker store %s failed (%s); retrying", what, type(error).__name__)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)


async def retrieve(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    """The stored conversation, waiting out an outage (never a silent None)."""
    return await retrying(lambda: self._tracker_store.retrieve(sender_id), "retrieve")


async def retrieve_full_tracker(
    self: FailSafeTrackerStore, sender_id: str
) -> DialogueStateTracker | None:
    """All sessions of a conversation, waiting out an outage."""
    return await retrying(
        lambda: self._tracker_store.retrieve_full_tracker(sender_id), "retrieve_full_tracker"
    )


async def save(self: FailSafeTrackerStore, tracker: DialogueStateTracker) -> None:
    """Store the turn, waiting out an outage (never into a per-process memory store)."""
    await retrying(lambda: self._tracker_store.save(tracker), "save")


ORIGINALS: dict[str, Any] = {
    name: getattr(FailSafeTrackerStore, name)
    for name in ("retrieve", "retrieve_full_tracker", "save")
}


def install() -> None:
    """Replace FailSafeTrackerStore's fallbacks (idempotent)."""
    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save
