"""The once-per-conversation notice that personal data is not needed (no model needed).

The decision (bot.privacy.notice) on the labelled messages of every language, the action
called the way the action server calls it, and the real action server over HTTP.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionNoticePersonalData
from bot.languages import RTL, SUPPORTED
from bot.privacy.evaluation import load
from bot.privacy.notice import NOTICE_RESPONSE, NOTICE_SLOT, needs_notice, volunteered
from bot.responses import language_file

#: Longest chat message we send (messengers cut or fold longer ones).
MAX_CHARS = 700


@pytest.mark.parametrize("lang", SUPPORTED)
def test_notice_text_in_every_language_short_and_in_reading_direction(lang):
    variations = language_file(lang)["responses"][NOTICE_RESPONSE]
    for variation in variations:
        text = variation["text"]
        assert 0 < len(text) <= MAX_CHARS
        if lang in RTL:
            # Messengers take a bubble's direction from its first strong character.
            assert "\u0600" <= text[0] <= "\u06ff", text


@pytest.mark.parametrize("lang", SUPPORTED)
def test_notice_exactly_for_the_messages_with_personal_data(lang):
    for message in load(lang):
        labelled = set(message.get("pii") or {})
        assert set(volunteered(message["text"])) == labelled, message["text"]
        assert needs_notice(message["text"], None) is bool(labelled)
        assert needs_notice(message["text"], True) is False


@pytest.mark.parametrize(
    ("text", "already", "expected"),
    [
        ("Ich heiße Samir, wo ist das Jobcenter?", None, True),
        ("my name is Sam", False, True),
        ("my name is Sam", True, False),  # told once per conversation
        ("Wo ist das Jobcenter in Essen?", None, False),
        ('/inform{"city": "Essen"}', None, False),  # a button payload, not typed
        ("", None, False),
        (None, None, False),
    ],
)
def test_decision(text, already, expected):
    assert needs_notice(text, already) is expected


def tracker(text: str, noticed: bool | None = None) -> Tracker:
    latest = {"intent": {"name": "find_office"}, "entities": [], "text": text}
    events = [{"event": "user", "text": text, "parse_data": latest, "metadata": {}}]
    slots = {"language": "de", NOTICE_SLOT: noticed}
    return Tracker("u1", slots, latest, events, False, None, {}, "action_listen")


def test_action_gives_the_notice_once_and_remembers_it():
    dispatcher = CollectingDispatcher()
    action = ActionNoticePersonalData()
    events = action.run(dispatcher, tracker("meine Nummer ist 0176 12345678"), {})
    assert events == [SlotSet(NOTICE_SLOT, True)]
    assert [m["response"] for m in dispatcher.messages] == [NOTICE_RESPONSE]

    dispatcher = CollectingDispatcher()
    assert action.run(dispatcher, tracker("ich heiße Olga", noticed=True), {}) == []
    assert action.run(dispatcher, tracker("Wo ist das Jobcenter?"), {}) == []
    assert dispatcher.messages == []


def webhook(url: str, text: str, noticed: bool | None) -> dict:
    body = {
        "next_action": "action_validate_slot_mappings",
        "sender_id": "u1",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "u1",
            "slots": {"language": "ar", NOTICE_SLOT: noticed},
            "latest_message": {"text": text, "intent": {"name": "inform"}, "entities": []},
            "events": [{"event": "user", "text": text}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_action_server_runs_it_under_the_name_rasa_calls(action_server):
    reply = webhook(action_server, "اسمي أحمد، رقمي 0176 12345678", None)
    assert [r.get("response") for r in reply["responses"]] == [NOTICE_RESPONSE]
    assert [(e["event"], e["name"], e["value"]) for e in reply["events"]] == [
        ("slot", NOTICE_SLOT, True)
    ]
    reply = webhook(action_server, "اسمي أحمد", True)
    assert reply["responses"] == [] and reply["events"] == []
