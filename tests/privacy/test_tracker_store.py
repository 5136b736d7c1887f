"""The redacting tracker store against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import PROJECT_ROOT
from bot.privacy.markers import DELETION_SLOT
from bot.privacy.tracker_store import RedactingSQLTrackerStore
from tests.privacy.helpers import console_tags

OFFICE = "Das Jobcenter erreichen Sie unter 0201 / 88 56 999."


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain"))


@pytest.fixture
def store(db_url, domain):
    store = RedactingSQLTrackerStore(
        domain=domain,
        host=db_url,
        retention_days=30,
        also_delete_from=["console_tags", "not_there"],
    )
    yield store
    store.engine.dispose()


def user(text: str, entities: list[dict] | None = None) -> UserUttered:
    return UserUttered(text, intent={"name": "inform", "confidence": 0.9}, entities=entities or [])


def rows(store, sender: str) -> list[tuple[str, dict]]:
    with store.engine.connect() as conn:
        result = conn.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        )
        return [(t, json.loads(d)) for t, d in result]


def start(sender: str, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender, [SessionStarted(), ActionExecuted("action_listen")], domain.slots
    )


async def test_user_text_is_stored_redacted_and_the_bot_text_verbatim(store, domain):
    tracker = start("alice", domain)
    text = "meine Nummer ist 0176 12345678, ich bin in Essen"
    city = {"entity": "city", "value": "Essen", "start": text.index("Essen"), "end": len(text)}
    tracker.update(user(text, [city]))
    tracker.update(BotUttered(OFFICE))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    stored = rows(store, "alice")
    assert [t for t, _ in stored] == ["session_started", "action", "user", "bot", "action"]
    message = stored[2][1]
    assert message["text"] == "meine Nummer ist [PHONE], ich bin in Essen"
    assert message["parse_data"]["text"] == message["text"]
    entity = message["parse_data"]["entities"][0]
    assert message["text"][entity["start"] : entity["end"]] == "Essen"
    assert stored[3][1]["text"] == OFFICE
    # The turn itself still has the original (NLU and actions ran on it).
    assert tracker.latest_message.text.endswith("0176 12345678, ich bin in Essen")


async def test_later_saves_append_only_the_new_events(store, domain):
    # As in Rasa: every turn retrieves the (redacted) tracker, appends, saves.
    tracker = start("bob", domain)
    tracker.update(user("Tel 0176 12345678"))
    await store.save(tracker)
    await store.save(tracker)  # nothing new: nothing inserted
    tracker = await store.retrieve("bob")
    assert tracker.latest_message.text == "Tel [PHONE]"
    tracker.update(BotUttered("ok"))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(user("Mail bob@example.org"))
    await store.save(tracker)

    stored = rows(store, "bob")
    assert len(stored) == len(tracker.events) == 6
    retrieved = await store.retrieve("bob")
    assert [e.as_dict()["event"] for e in retrieved.events] == [t for t, _ in stored]
    assert retrieved.latest_message.text == "Mail [EMAIL]"


async def test_the_deletion_marker_deletes_the_conversation_and_stores_nothing(store, domain):
    other = start("carol", domain)
    other.update(user("hallo"))
    await store.save(other)

    tracker = start("dave", domain)
    tracker.update(user("geb. 01.02.1990, Hauptstraße 5"))
    await store.save(tracker)
    assert rows(store, "dave")
    tags = console_tags(store.engine, ["dave", "carol"])
    tracker.update(user("ja"))
    tracker.update(SlotSet(DELETION_SLOT, True))
    tracker.update(BotUttered("gelöscht"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    assert rows(store, "dave") == []
    await store.save(tracker)  # a repeated save of the same tracker stays deleted
    assert rows(store, "dave") == []
    assert await store.retrieve("dave") is None
    assert len(rows(store, "carol")) == 3
    with store.engine.connect() as conn:
        assert [r[0] for r in conn.execute(sa.select(tags.c.sender_id))] == ["carol"]

    with store.engine.connect() as conn:
        log = conn.execute(sa.text("SELECT action, conversations, events FROM privacy_log")).all()
    assert [tuple(r) for r in log] == [("self_deletion", 1, 3)]
