"""Facebook Messenger connector: real `rasa run`, fake Graph API."""

from __future__ import annotations

import json
import random
import time
import uuid

import pytest

from bot.channels.messenger import FacebookInput
from bot.responses import language_file
from tests.channels.conftest import MESSENGER_SECRET, MESSENGER_VERIFY, PAGE_TOKEN, alias
from tests.channels.fakes import FakeGraph, FakeRunner, hub_signature
from tests.helpers import texts

WEBHOOK = "/webhooks/facebook/webhook"
PAGE_ID = "104857600000001"


def new_psid() -> str:
    return str(random.randint(10**15, 10**16))


def event(psid: str, **content) -> dict:
    now = int(time.time() * 1000)
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now, **content}


def message(psid: str, text: str | None = None, **extra) -> dict:
    body = {"mid": "m_" + uuid.uuid4().hex, **extra}
    if text is not None:
        body["text"] = text
    return event(psid, message=body)


def payload(*events: dict) -> dict:
    entry = {"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": list(events)}
    return {"object": "page", "entry": [entry]}


def send(stack, data: dict | bytes, signature: str | None = "valid"):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = hub_signature(MESSENGER_SECRET, body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return stack.post(WEBHOOK, body, headers)


def replies(stack, psid: str, count: int = 1) -> list[dict]:
    stack.graph.wait_for(lambda _: len(stack.graph.messenger_sent(psid)) >= count)
    return stack.graph.messenger_sent(psid)


def test_subscription_verification(stack):
    query = f"hub.mode=subscribe&hub.verify_token={MESSENGER_VERIFY}&hub.challenge=1158201444"
    assert stack.get(f"{WEBHOOK}?{query}") == (200, "1158201444")
    wrong = "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"
    assert stack.get(f"{WEBHOOK}?{wrong}")[0] == 403


def test_buttons_become_quick_replies(stack):
    psid = new_psid()
    status, body = send(stack, payload(message(psid, "/greet")))
    assert (status, body) == (200, "EVENT_RECEIVED")
    [reply] = replies(stack, psid)
    assert reply["text"] in texts("de", "utter_greet")
    buttons = language_file("de")["responses"]["utter_greet"][0]["buttons"]
    quick = reply["quick_replies"]
    assert [q["payload"] for q in quick] == [b["payload"] for b in buttons]
    assert all(q["content_type"] == "text" and 0 < len(q["title"]) <= 20 for q in quick)
    assert quick[0]["title"] == buttons[0]["title"]
    assert stack.rows_containing(psid) == 0
    assert stack.stored_events(alias("facebook", psid))


def test_quick_reply_tap_and_postback(stack):
    psid = new_psid()
    tap = message(psid, "Sprachkurs", quick_reply={"payload": "/ask_language_course"})
    assert send(stack, payload(tap))[0] == 200
    disclaimer, reply = replies(stack, psid, 2)
    assert disclaimer["text"] in texts("de", "utter_topic_disclaimer")
    assert reply["text"] in texts("de", "utter_topic_language_course")
    topic = language_file("de")["responses"]["utter_topic_language_course"][0]
    assert [q["payload"] for q in reply["quick_replies"]] == [
        b["payload"] for b in topic["buttons"]
    ]
    postback = event(
        psid, postback={"mid": "m_" + uuid.uuid4().hex, "title": "x", "payload": "/thank"}
    )
    assert send(stack, payload(postback))[0] == 200
    assert replies(stack, psid, 3)[2]["text"] in texts("de", "utter_thank")


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_bad_signature_is_rejected_with_403(stack, signature):
    psid = new_psid()
    assert send(stack, payload(message(psid, "/greet")), signature=signature)[0] == 403


def test_signature_of_another_body_is_rejected(stack):
    psid = new_psid()
    other = hub_signature(MESSENGER_SECRET, b'{"object": "page", "entry": []}')
    assert send(stack, payload(message(psid, "/greet")), signature=other)[0] == 403


def test_echoes_deliveries_and_replays_get_no_answer(stack):
    psid = new_psid()
    echo = event(psid, message={"mid": "m_echo", "is_echo": True, "text": "our own reply"})
    delivery = event(psid, delivery={"mids": ["m_1"], "watermark": 1})
    read = event(psid, read={"watermark": 1})
    assert send(stack, payload(echo, delivery, read))[0] == 200
    greet = message(psid, "/greet")
    assert send(stack, payload(greet))[0] == 200
    assert send(stack, payload(greet))[0] == 200  # redelivery with the same mid
    assert send(stack, payload(message(psid, "/thank")))[0] == 200
    # Replies come in order: a second greeting (or an answer to the echo) would precede
    # the goodbye's reply.
    assert send(stack, payload(message(psid, "/goodbye")))[0] == 200
    sent = replies(stack, psid, 3)
    assert [r["text"] in texts("de", "utter_greet") for r in sent] == [True, False, False]
    assert sent[1]["text"] in texts("de", "utter_thank")
    assert sent[2]["text"] in texts("de", "utter_goodbye")


@pytest.mark.parametrize("kind", ["image", "audio", "video", "file", "location"])
def test_attachments_get_only_text_reply_in_conversation_language(stack, kind):
    psid = new_psid()
    choose = message(psid, "English", quick_reply={"payload": '/choose_language{"language": "en"}'})
    assert send(stack, payload(choose))[0] == 200
    replies(stack, psid)
    attachment = {"type": kind, "payload": {"url": "https://scontent.example/x"}}
    assert send(stack, payload(message(psid, attachments=[attachment])))[0] == 200
    assert replies(stack, psid, 2)[1]["text"] == texts("en", "utter_only_text")[0]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"object": "page", "entry": {}}'])
def test_malformed_body_gets_400(stack, body):
    assert send(stack, body)[0] == 400


def test_oversized_body_gets_413(stack):
    assert send(stack, payload(message(new_psid(), "x" * (1024 * 1024))))[0] == 413


async def test_limits_long_texts_and_too_many_buttons(monkeypatch):
    """The real output channel against the fake Graph API (no Rasa needed)."""
    monkeypatch.setenv("WEGWEISER_PSEUDONYM_KEY", "unit-test-key")
    graph = FakeGraph(PAGE_TOKEN, "unused", "unused")
    runner = FakeRunner(graph)
    runner.start()
    try:
        channel = FacebookInput(PAGE_TOKEN, "secret", "verify", api_base_url=graph.base_url)
        psid = new_psid()
        user = channel.pseudonyms.pseudonymise(psid)
        output = channel.get_output_channel()
        await output.send_text_message(user, "Ein Satz mit Füllwörtern. " * 200)  # ~5,200 chars
        assert [len(m["text"]) <= 2000 for m in graph.messenger_sent(psid)] == [True] * 3
        many = [{"title": f"Option {i}", "payload": f"/inform{i}"} for i in range(1, 15)]
        await output.send_text_with_buttons(user, "Bitte wählen:", many)
        listed = graph.messenger_sent(psid)[-1]
        assert "quick_replies" not in listed and listed["text"].endswith("14. Option 14")
        assert channel.menus.resolve(user, "14") == "/inform14"
        long_title = [{"title": "Anerkennung meines Abschlusses", "payload": "/ask_recognition"}]
        await output.send_text_with_buttons(user, "Thema:", long_title)
        [quick] = graph.messenger_sent(psid)[-1]["quick_replies"]
        assert quick == {
            "content_type": "text",
            "title": "Anerkennung meines…",
            "payload": "/ask_recognition",
        }
        assert channel.menus.resolve(user, "1") is None  # the old list no longer applies
        await channel.close()
    finally:
        runner.stop()
