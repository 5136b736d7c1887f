"""Telegram connector: real `rasa run`, fake Bot API."""

from __future__ import annotations

import itertools
import json
import random
import time

import pytest

from bot.responses import language_file
from tests.channels.conftest import TELEGRAM_SECRET, alias
from tests.helpers import texts

WEBHOOK = "/webhooks/telegram/webhook"
_update_ids = itertools.count(random.randint(10_000, 900_000_000))


def new_chat() -> int:
    return random.randint(10**8, 10**10)


def user(chat_id: int, language: str) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language}


def message_update(chat_id: int, language: str = "de", **content) -> dict:
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": random.randint(1, 10**6),
            "from": user(chat_id, language),
            "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
            "date": int(time.time()),
            **content,
        },
    }


def text_update(chat_id: int, text: str, language: str = "de") -> dict:
    return message_update(chat_id, language, text=text)


def callback_update(chat_id: int, data: str, language: str = "de") -> dict:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(random.randint(10**15, 10**16)),
            "from": user(chat_id, language),
            "message": {
                "message_id": 7,
                "from": {"id": 42, "is_bot": True, "first_name": "Wegweiser"},
                "chat": {"id": chat_id, "type": "private"},
                "date": int(time.time()),
                "text": "...",
            },
            "chat_instance": "-5713029402938",
            "data": data,
        },
    }


def send(stack, update: dict | bytes, secret: str | None = TELEGRAM_SECRET):
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return stack.post(WEBHOOK, body, headers)


def test_no_call_to_telegram_at_startup(stack):
    methods = {call.path.rsplit("/", 1)[-1] for call in stack.telegram.snapshot()}
    assert methods <= {"sendMessage", "answerCallbackQuery"}


def test_start_gets_greeting_in_users_language_with_inline_keyboard(stack):
    chat = new_chat()
    assert send(stack, text_update(chat, "/start", language="uk"))[0] == 200
    stack.telegram.wait_for(lambda _: stack.telegram.sent(chat))
    [reply] = stack.telegram.sent(chat)
    assert reply["text"] in texts("uk", "utter_greet")
    greet = language_file("uk")["responses"]["utter_greet"][0]
    keyboard = reply["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in greet["buttons"]]
    assert [row[0]["callback_data"] for row in keyboard] == [b["payload"] for b in greet["buttons"]]

    # The tracker store knows the chat only by its pseudonym, with the language hint.
    events = stack.stored_events(alias("telegram", chat))
    user_events = [e for t, e in events if t == "user"]
    assert user_events and user_events[0]["metadata"]["language"] == "uk"
    assert user_events[0]["input_channel"] == "telegram"
    assert stack.rows_containing(str(chat)) == 0


def test_button_tap_arrives_as_callback_query(stack):
    chat = new_chat()
    update = callback_update(chat, "/ask_language_course", language="tr")
    assert send(stack, update)[0] == 200
    # First topic answer of a conversation: the disclaimer, then the topic with sub-topics.
    stack.telegram.wait_for(lambda _: len(stack.telegram.sent(chat)) >= 2)
    disclaimer, reply = stack.telegram.sent(chat)
    assert disclaimer["text"] in texts("tr", "utter_topic_disclaimer")
    assert reply["text"] in texts("tr", "utter_topic_language_course")
    topic = language_file("tr")["responses"]["utter_topic_language_course"][0]
    keyboard = reply["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [b["payload"] for b in topic["buttons"]]
    answered = [
        c.json["callback_query_id"]
        for c in stack.telegram.snapshot()
        if c.path.endswith("/answerCallbackQuery")
    ]
    assert update["callback_query"]["id"] in answered


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("كيف أتعلم اللغة الألمانية؟", "ar"),
        ("چطور زبان آلمانی یاد بگیرم؟", "fa"),
        ("Как выучить немецкий язык?", "ru"),
    ],
)
def test_the_script_of_the_first_message_beats_a_german_language_code(stack, text, language):
    """A German phone, a first message in Arabic/Persian/Cyrillic script: answered in that
    language at once (the platform's ``language_code`` is only a hint)."""
    chat = new_chat()
    assert send(stack, text_update(chat, text, language="de"))[0] == 200
    stack.telegram.wait_for(lambda _: len(stack.telegram.sent(chat)) >= 2)
    disclaimer, reply = stack.telegram.sent(chat)[:2]
    assert disclaimer["text"] in texts(language, "utter_topic_disclaimer")
    assert reply["text"] in texts(language, "utter_topic_language_course")


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "CAACAgIAAxk",
                "file_unique_id": "AgAD",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "AgACAgI", "file_unique_id": "AQAD", "width": 90, "height": 67}]},
        {"location": {"latitude": 51.4556, "longitude": 7.0116}},
        {
            "voice": {
                "file_id": "AwACAgI",
                "file_unique_id": "AgAD",
                "duration": 3,
                "mime_type": "audio/ogg",
            }
        },
    ],
    ids=["sticker", "photo", "location", "voice"],
)
def test_non_text_gets_a_kind_reply_in_users_language(stack, content):
    chat = new_chat()
    assert send(stack, message_update(chat, "ar", **content))[0] == 200
    stack.telegram.wait_for(lambda _: stack.telegram.sent(chat))
    [reply] = stack.telegram.sent(chat)
    assert reply["text"] == texts("ar", "utter_only_text")[0]
    assert stack.stored_events(alias("telegram", chat)) == []  # not a dialogue turn


def test_wrong_or_missing_secret_token_is_rejected(stack):
    chat = new_chat()
    assert send(stack, text_update(chat, "/greet"), secret="wrong")[0] == 403
    assert send(stack, text_update(chat, "/greet"), secret=None)[0] == 403
    # The next authentic update is the first the bot answers.
    assert send(stack, text_update(chat, "/thank", language="en"))[0] == 200
    stack.telegram.wait_for(lambda _: stack.telegram.sent(chat))
    assert [r["text"] for r in stack.telegram.sent(chat)][0] in texts("en", "utter_thank")
    # Replies come in order: once a later message is answered, any reply to the rejected
    # updates would have been sent before it.
    assert send(stack, text_update(chat, "/goodbye", language="en"))[0] == 200
    stack.telegram.wait_for(lambda _: len(stack.telegram.sent(chat)) >= 2)
    sent = [r["text"] for r in stack.telegram.sent(chat)]
    assert len(sent) == 2 and sent[1] in texts("en", "utter_goodbye")


def test_replayed_update_is_answered_once(stack):
    chat = new_chat()
    update = text_update(chat, "/greet", language="en")
    assert send(stack, update)[0] == 200
    assert send(stack, update)[0] == 200  # Telegram retries with the same update_id
    assert send(stack, text_update(chat, "/thank", language="en"))[0] == 200
    # Replies of one chat are produced in order, so once /thank is answered a
    # duplicate greeting would have been sent already.
    stack.telegram.wait_for(
        lambda _: any(r["text"] in texts("en", "utter_thank") for r in stack.telegram.sent(chat))
    )
    sent = [r["text"] for r in stack.telegram.sent(chat)]
    assert sum(t in texts("en", "utter_greet") for t in sent) == 1
    assert len(sent) == 2


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"message": {"text": "hi"}}', b'"update"']
)
def test_malformed_update_gets_400(stack, body):
    assert send(stack, body)[0] == 400


def test_malformed_message_gets_400(stack):
    update = {"update_id": next(_update_ids), "message": {"text": "no chat"}}
    assert send(stack, update)[0] == 400


def test_unknown_update_types_are_acknowledged_and_ignored(stack):
    chat = new_chat()
    edited = {"update_id": next(_update_ids), "edited_message": text_update(chat, "x")["message"]}
    assert send(stack, edited)[0] == 200
    assert send(stack, text_update(chat, "/thank", language="en"))[0] == 200
    stack.telegram.wait_for(lambda _: stack.telegram.sent(chat))
    assert len(stack.telegram.sent(chat)) == 1


def test_oversized_body_gets_413(stack):
    update = text_update(new_chat(), "x" * (1024 * 1024))
    assert send(stack, update)[0] == 413
