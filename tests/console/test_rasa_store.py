"""The console reads what Rasa's own SQLTrackerStore writes (not only our seed data)."""

from __future__ import annotations

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.console import db, queries, summary
from bot.console.queries import Filters


async def test_summary_and_transcript_from_rasa_written_events(tmp_path):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker("tg-5f2a", slots=[])
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.41},
        "entities": [],
        "text": "وين مكتب الأجانب",
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.41},
            {"name": "find_office", "confidence": 0.38},
        ],
        "language": {"code": "ar", "confidence": 0.99, "source": "script"},
    }
    for event in (
        ActionExecuted("action_session_start", timestamp=1_790_000_000),
        SessionStarted(timestamp=1_790_000_000),
        ActionExecuted("action_listen", timestamp=1_790_000_001),
        UserUttered(
            "وين مكتب الأجانب", parse_data=parse, input_channel="telegram", timestamp=1_790_000_002
        ),
        ActionExecuted("action_default_fallback", timestamp=1_790_000_003),
        SlotSet("language", "ar", timestamp=1_790_000_003),
        SlotSet("city", "Hagen", timestamp=1_790_000_003),
        BotUttered(
            "عذرا، لم أفهم.", metadata={"utter_action": "utter_default"}, timestamp=1_790_000_003
        ),
        ActionExecuted("action_listen", timestamp=1_790_000_004),
    ):
        tracker.update(event)
    await store.save(tracker)

    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)  # Rasa created `events` already; the migration only adds to it
    assert summary.refresh_all(engine) == 9
    row = queries.list_conversations(engine, Filters(language="ar"), 10).rows[0]
    assert row["sender_id"] == "tg-5f2a"
    assert (row["channel"], row["city"], row["had_fallback"]) == ("telegram", "Hagen", True)
    assert row["min_confidence"] == 0.41 and row["n_user"] == 1 and row["n_bot"] == 1
    assert queries.list_conversations(engine, Filters(q="مكتب"), 10).total == 1
    items = queries.transcript(engine, "tg-5f2a")["items"]
    bot = next(i for i in items if i["kind"] == "bot")
    assert (bot["response"], bot["action"]) == ("utter_default", "action_default_fallback")
    rows, _, _, _ = queries.misunderstood(engine, "ar", "open", 1, 10)
    assert [(r["text"], r["guess"]) for r in rows] == [("وين مكتب الأجانب", "find_office")]

    # Rasa keeps appending to the same table after the console's migration.
    tracker.update(
        UserUttered(
            "شكرا",
            parse_data={"intent": {"name": "thank", "confidence": 0.99}},
            input_channel="telegram",
            timestamp=1_790_000_010,
        )
    )
    await store.save(tracker)
    assert summary.refresh_all(engine) == 1
    assert queries.list_conversations(engine, Filters(), 10).rows[0]["n_user"] == 2
    engine.dispose()
