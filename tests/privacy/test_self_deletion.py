"""Self-deletion, redaction and the personal-data notice through a real conversation:
`rasa run` + REST channel + the real action server + RedactingSQLTrackerStore on SQLite.

What remains after "delete my data" is confirmed: nothing. Every row of the sender is
deleted and the deleting turn itself is not stored; ``privacy_log`` gets one line
without the sender id. The sender's next message starts a new, empty conversation.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.channels.test_rest_http import say
from tests.helpers import texts
from tools.processes import start_rasa, stop


@pytest.fixture(scope="module")
def rasa_server(
    model_path: str, action_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("privacy")
    proc, url, db = start_rasa(model_path, action_server, tmp, "credentials.yml")
    yield url, db
    stop(proc)


def stored(db: Path, sender: str) -> list[tuple[str, dict]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [(t, json.loads(d)) for t, d in rows]


def log(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT action, conversations FROM privacy_log ORDER BY id").fetchall()


def test_pii_is_redacted_in_storage_but_understood_in_the_turn(rasa_server):
    base, db = rasa_server
    sender = "redact-" + uuid.uuid4().hex
    status, replies = say(
        base, sender, "Wo ist das Jobcenter in Essen? Meine Nummer ist 0176 12345678"
    )
    assert status == 200 and replies
    users = [d for t, d in stored(db, sender) if t == "user"]
    assert users[-1]["text"] == "Wo ist das Jobcenter in Essen? Meine Nummer ist [PHONE]"
    assert users[-1]["parse_data"]["intent"]["name"] == "find_office"
    assert "Essen" in [e["value"] for e in users[-1]["parse_data"]["entities"]]
    bots = [d["text"] for t, d in stored(db, sender) if t == "bot"]
    assert bots and not any("[PHONE]" in (b or "") for b in bots)


def test_delete_my_data_confirmed_deletes_everything(rasa_server):
    base, db = rasa_server
    sender = "delete-" + uuid.uuid4().hex
    say(base, sender, "Hallo, ich wohne in der Hauptstraße 12 in Essen")
    say(base, sender, "Wo finde ich einen Deutschkurs?")
    assert len(stored(db, sender)) > 5
    before = len(log(db))

    status, replies = say(base, sender, "lösche bitte meine Daten")
    assert status == 200
    assert replies[0]["text"] in texts("de", "utter_confirm_delete_my_data")
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/affirm", "/deny"]
    assert stored(db, sender), "asking must not delete yet"

    status, replies = say(base, sender, "/affirm")
    assert status == 200
    assert len(replies) == 1
    assert replies[0]["text"] in texts("de", "utter_data_deleted")
    assert stored(db, sender) == []
    assert log(db)[before:] == [("self_deletion", 1)]

    # The next message is a new conversation with none of the old content.
    status, replies = say(base, sender, "Hallo")
    assert status == 200 and replies
    rows = stored(db, sender)
    assert rows and not any("Hauptstraße" in json.dumps(d) for _, d in rows)
    assert not any(d.get("text") == "lösche bitte meine Daten" for _, d in rows)


def test_the_widget_payload_asks_first_and_no_keeps_the_data(rasa_server):
    base, db = rasa_server
    sender = "keep-" + uuid.uuid4().hex
    say(base, sender, "/greet", language="ar")
    status, replies = say(base, sender, "/delete_my_data", language="ar")
    assert status == 200
    assert replies[0]["text"] in texts("ar", "utter_confirm_delete_my_data")
    status, replies = say(base, sender, "/deny", language="ar")
    assert replies[0]["text"] in texts("ar", "utter_delete_my_data_cancelled")
    assert len(stored(db, sender)) > 5


@pytest.mark.parametrize(
    ("lang", "request_text", "yes"),
    [
        ("en", "please delete my data", "yes"),
        ("tr", "lütfen verilerimi sil", "evet"),
        ("uk", "видаліть мої дані, будь ласка", "так"),
    ],
)
def test_typed_request_and_typed_yes_in_other_languages(rasa_server, lang, request_text, yes):
    base, db = rasa_server
    sender = f"typed-{lang}-" + uuid.uuid4().hex
    status, replies = say(base, sender, request_text, language=lang)
    assert replies[0]["text"] in texts(lang, "utter_confirm_delete_my_data")
    status, replies = say(base, sender, yes, language=lang)
    assert replies[0]["text"] in texts(lang, "utter_data_deleted")
    assert stored(db, sender) == []


@pytest.mark.parametrize(
    ("lang", "first", "second", "name"),
    [
        ("de", "Hallo, ich heiße Samir Haddad. Wo ist das Jobcenter in Essen?",
         "Meine Nummer ist 0176 12345678", "Samir Haddad"),
        ("ar", "مرحبا، اسمي أحمد الخطيب. أين مكتب العمل في دورتموند؟",
         "رقمي 0176 12345678", "أحمد الخطيب"),
    ],
)  # fmt: skip
def test_personal_data_notice_once_per_conversation(rasa_server, lang, first, second, name):
    base, db = rasa_server
    sender = f"notice-{lang}-" + uuid.uuid4().hex
    notice = texts(lang, "utter_personal_data_notice")
    status, replies = say(base, sender, first, language=lang)
    assert status == 200
    assert replies[0]["text"] in notice
    assert len(replies) > 1, "the notice comes in addition to the answer"
    status, replies = say(base, sender, second, language=lang)
    assert status == 200 and replies
    assert not any(r.get("text") in notice for r in replies), "only once per conversation"

    rows = stored(db, sender)
    assert sum(1 for t, d in rows if t == "bot" and d.get("text") in notice) == 1
    assert not any(name in json.dumps(d, ensure_ascii=False) for _, d in rows)
    assert "[NAME]" in next(d["text"] for t, d in rows if t == "user")
