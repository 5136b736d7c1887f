"""Rasa's SQL tracker store, storing user messages redacted and honouring deletion requests.

Configured in endpoints.yml as ``type: bot.privacy.tracker_store.RedactingSQLTrackerStore``
with the usual SQL keys (``dialect``, ``url``, ``db``, ...) plus ``retention_days``
(read by the retention job) and ``also_delete_from`` (tables of per-conversation copies).

How Rasa decides what to insert (rasa/core/tracker_store.py, SQLTrackerStore.save):
it counts the rows stored since the last ``session_started`` and inserts the tracker's
events from that index on. Redaction keeps one row per event and never changes event
types or timestamps, so the count, ``retrieve`` and the session boundaries stay exact.
NLU and the current turn's actions run on the in-memory tracker, which keeps the
original text; only the stored copy is redacted.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.privacy.db import scrub_after_delete, secure_deletes
from bot.privacy.deletion import delete_related, delete_sender_rows, ensure_log_table, record
from bot.privacy.events import redact_events
from bot.privacy.markers import is_deletion_marker
from bot.privacy.redaction import find

logger = logging.getLogger(__name__)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that redacts user events and deletes conversations on request."""

    def __init__(
        self,
        *args: Any,
        retention_days: int | None = None,
        also_delete_from: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Same arguments as SQLTrackerStore, plus two privacy settings.

        ``retention_days`` is read by the retention job; ``also_delete_from`` names
        tables with a ``sender_id`` column (the console's copies) whose rows of a
        conversation are deleted with it.
        """
        self.retention_days = retention_days
        self.also_delete_from = tuple(also_delete_from or ())
        super().__init__(*args, **kwargs)
        secure_deletes(self.engine)
        ensure_log_table(self.engine)
        find("0176 1234567")  # build the spaCy pipeline now, not during the first reply

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events, redacted, or delete the conversation.

        If the new events contain the deletion marker (action_delete_my_data), every
        stored row of this sender is deleted and nothing of this turn is stored; the
        sender's next message starts a fresh conversation.
        """
        with self.session_scope() as session:
            new_events = [e.as_dict() for e in self._additional_events(session, tracker)]
            if any(is_deletion_marker(e) for e in new_events):
                deleted = delete_sender_rows(session, self.SQLEvent.__table__, tracker.sender_id)
                delete_related(session, self.also_delete_from, [tracker.sender_id])
                if deleted:
                    record(session, "self_deletion", conversations=1, events=deleted)
                session.commit()
                scrub_after_delete(self.engine)
                logger.info("Deleted a conversation on the user's request (%d events).", deleted)
                return
            stored = redact_events(new_events)
            for data in stored:
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=data.get("event"),
                        timestamp=data.get("timestamp"),
                        intent_name=_intent_name(data),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        await self._stream_redacted(tracker.sender_id, stored)

    async def _stream_redacted(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Publish the stored (redacted) events to the event broker, if one is configured."""
        if self.event_broker is None:
            return
        for data in events:
            self.event_broker.publish({"sender_id": sender_id, **data})


def _intent_name(data: dict[str, Any]) -> str | None:
    """The intent of a serialized user event (what SQLTrackerStore puts in intent_name)."""
    intent = (data.get("parse_data") or {}).get("intent") or {}
    return intent.get(INTENT_NAME_KEY)
