"""WhatsApp Cloud API connector: real `rasa run`, fake Graph API."""

from __future__ import annotations

import json
import random
import time
import uuid

import pytest

from bot.channels.whatsapp_cloud import WhatsAppCloudInput, WhatsAppCloudOutput
from bot.offices import load_directory
from bot.responses import language_file
from tests.channels.conftest import (
    PHONE_NUMBER_ID,
    WHATSAPP_SECRET,
    WHATSAPP_TOKEN,
    WHATSAPP_VERIFY,
    alias,
)
from tests.channels.fakes import FakeGraph, FakeRunner, hub_signature
from tests.channels.phone_view import show
from tests.helpers import texts

WEBHOOK = "/webhooks/whatsapp/webhook"


def new_number() -> str:
    return "49151" + str(random.randint(10**7, 10**8 - 1))


def wa_message(number: str, kind: str = "text", **content) -> dict:
    return {
        "from": number,
        "id": "wamid.HBgN" + uuid.uuid4().hex.upper(),
        "timestamp": str(int(time.time())),
        "type": kind,
        **content,
    }


def text_message(number: str, body: str) -> dict:
    return wa_message(number, text={"body": body})


def payload(number: str, messages: list[dict] | None = None, statuses: list | None = None) -> dict:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "4930123456", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages is not None:
        value["contacts"] = [{"profile": {"name": "Test"}, "wa_id": number}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    change = {"value": value, "field": "messages"}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [change]}],
    }


def send(stack, data: dict | bytes, signature: str | None = "valid"):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = hub_signature(WHATSAPP_SECRET, body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return stack.post(WEBHOOK, body, headers)


def replies(stack, number: str, count: int = 1) -> list[dict]:
    stack.graph.wait_for(lambda _: len(stack.graph.whatsapp_sent(number)) >= count)
    return stack.graph.whatsapp_sent(number)


def test_verification_challenge(stack):
    query = f"hub.mode=subscribe&hub.verify_token={WHATSAPP_VERIFY}&hub.challenge=8245127"
    assert stack.get(f"{WEBHOOK}?{query}") == (200, "8245127")
    assert stack.get(f"{WEBHOOK}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")[0] == 403
    assert stack.get(f"{WEBHOOK}?hub.challenge=1")[0] == 403


def test_many_buttons_become_a_numbered_list_answered_by_digit(stack):
    number = new_number()
    assert send(stack, payload(number, [text_message(number, "/greet")])) == (200, "")
    [greeting] = replies(stack, number)
    buttons = language_file("de")["responses"]["utter_greet"][0]["buttons"]
    assert greeting["type"] == "text"
    body = greeting["text"]["body"]
    assert any(body.startswith(t) for t in texts("de", "utter_greet"))
    for index, button in enumerate(buttons, 1):
        assert f"{index}. {button['title']}" in body
    # "2" (here as Arabic-Indic digit) stands for the second button's payload.
    assert send(stack, payload(number, [text_message(number, "٢")]))[0] == 200
    disclaimer, course = replies(stack, number, 3)[1:3]
    assert disclaimer["text"]["body"] in texts("de", "utter_topic_disclaimer")
    assert any(
        course["text"]["body"].startswith(t) for t in texts("de", "utter_topic_language_course")
    )
    # Two short buttons become native reply buttons.
    assert send(stack, payload(number, [text_message(number, "/delete_my_data")]))[0] == 200
    confirm = replies(stack, number, 4)[3]
    assert confirm["type"] == "interactive"
    interactive = confirm["interactive"]
    assert interactive["body"]["text"] in texts("de", "utter_confirm_delete_my_data")
    expected = language_file("de")["responses"]["utter_confirm_delete_my_data"][0]["buttons"]
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": b["payload"], "title": b["title"]} for b in expected
    ]
    # Tapping a reply button sends its id back.
    tap = wa_message(
        number,
        "interactive",
        interactive={"type": "button_reply", "button_reply": {"id": "/deny", "title": "Nein"}},
    )
    assert send(stack, payload(number, [tap]))[0] == 200
    cancelled = replies(stack, number, 5)[4]["text"]["body"]
    assert cancelled in texts("de", "utter_delete_my_data_cancelled")
    assert stack.rows_containing(number) == 0
    assert [t for t, _ in stack.stored_events(alias("whatsapp", number))].count("user") == 4


def test_office_card_arrives_as_readable_text(stack, tmp_path):
    """The Arabic card as plain text, each bubble right-to-left as WhatsApp shows it."""
    number = new_number()
    message = text_message(number, "أين الجوب سنتر في إيسن؟")
    assert send(stack, payload(number, [message]))[0] == 200
    office = load_directory().find("Essen", "jobcenter")[0]
    stack.graph.wait_for(
        lambda _: any(
            office.name in (m.get("text") or {}).get("body", "")
            for m in stack.graph.whatsapp_sent(number)
        )
    )
    # Replies come in order: once the goodbye is answered, the whole card has been sent.
    assert send(stack, payload(number, [text_message(number, "/goodbye")]))[0] == 200
    stack.graph.wait_for(
        lambda _: any(
            (m.get("text") or {}).get("body") in texts("ar", "utter_goodbye")
            for m in stack.graph.whatsapp_sent(number)
        )
    )
    bodies = [m["text"]["body"] for m in stack.graph.whatsapp_sent(number) if "text" in m]
    card = next(b for b in bodies if office.name in b)
    assert office.phone in card
    assert not any(b.lstrip().startswith("{") for b in bodies)  # no raw JSON card
    shown = bodies[: bodies.index(card) + 1]
    directions = show(message["text"]["body"], shown, "Wegweiser", "whatsapp-ar-card.png", tmp_path)
    assert directions == ["rtl"] * len(shown), list(zip(directions, shown))


def test_status_updates_and_reactions_get_no_answer(stack):
    number = new_number()
    statuses = [
        {
            "id": "wamid.HBgNOUTGOING",
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": number,
        }
        for status in ("sent", "delivered", "read")
    ]
    assert send(stack, payload(number, statuses=statuses)) == (200, "")
    reaction = wa_message(number, "reaction", reaction={"message_id": "wamid.X", "emoji": "👍"})
    assert send(stack, payload(number, [reaction]))[0] == 200
    assert send(stack, payload(number, [text_message(number, "/thank")]))[0] == 200
    # Replies come in order: a reply to a status or reaction would precede the goodbye's.
    assert send(stack, payload(number, [text_message(number, "/goodbye")]))[0] == 200
    sent = replies(stack, number, 2)
    assert len(sent) == 2 and sent[1]["text"]["body"] in texts("de", "utter_goodbye")


def test_duplicate_message_ids_are_answered_once(stack):
    number = new_number()
    greet = payload(number, [text_message(number, "/greet")])
    assert send(stack, greet)[0] == 200
    assert send(stack, greet)[0] == 200
    assert send(stack, payload(number, [text_message(number, "/thank")]))[0] == 200
    # Replies come in order: a second greeting would precede the goodbye's reply.
    assert send(stack, payload(number, [text_message(number, "/goodbye")]))[0] == 200
    sent = replies(stack, number, 3)
    assert len(sent) == 3
    assert sent[1]["text"]["body"] in texts("de", "utter_thank")
    assert sent[2]["text"]["body"] in texts("de", "utter_goodbye")


@pytest.mark.parametrize(
    "kind, content",
    [
        ("sticker", {"sticker": {"id": "1234", "mime_type": "image/webp", "animated": False}}),
        ("image", {"image": {"id": "2345", "mime_type": "image/jpeg", "sha256": "abc"}}),
        ("audio", {"audio": {"id": "3456", "mime_type": "audio/ogg; codecs=opus", "voice": True}}),
        ("location", {"location": {"latitude": 51.45, "longitude": 7.01, "name": "Essen"}}),
    ],
)
def test_non_text_gets_a_kind_reply(stack, kind, content):
    number = new_number()
    assert send(stack, payload(number, [wa_message(number, kind, **content)]))[0] == 200
    [reply] = replies(stack, number)
    assert reply["text"]["body"] == texts("de", "utter_only_text")[0]


@pytest.mark.parametrize("signature", [None, "sha256=" + "f" * 64, "sha256="])
def test_bad_signature_is_rejected_with_403(stack, signature):
    number = new_number()
    data = payload(number, [text_message(number, "/greet")])
    assert send(stack, data, signature=signature)[0] == 403


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"null",
        b'{"entry": "x"}',
        b'{"entry": [{"changes": [{"field": "messages", "value": {"messages": {}}}]}]}',
        b'{"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": "x"}]}}]}]}',
    ],
)
def test_malformed_body_gets_400(stack, body):
    assert send(stack, body)[0] == 400


def test_oversized_body_gets_413(stack):
    number = new_number()
    assert send(stack, payload(number, [text_message(number, "x" * (1024 * 1024))]))[0] == 413


async def test_long_texts_are_split_at_4096(monkeypatch):
    """The real output channel against the fake Graph API (no Rasa needed)."""
    monkeypatch.setenv("WEGWEISER_PSEUDONYM_KEY", "unit-test-key")
    graph = FakeGraph("unused", WHATSAPP_TOKEN, PHONE_NUMBER_ID)
    runner = FakeRunner(graph)
    runner.start()
    try:
        channel = WhatsAppCloudInput(
            WHATSAPP_TOKEN, "secret", "verify", PHONE_NUMBER_ID, api_base_url=graph.base_url
        )
        number = new_number()
        user = channel.pseudonyms.pseudonymise(number)
        paragraph = "A sentence of filler words to make a long reply. " * 30
        text = "\n\n".join([paragraph] * 7)  # ~10,000 characters
        await WhatsAppCloudOutput(channel).send_text_message(user, text)
        bodies = [m["text"]["body"] for m in graph.whatsapp_sent(number)]
        # Cut at paragraph breaks: two paragraphs per message, none over the limit.
        assert len(bodies) == 4 and all(len(b) <= 4096 for b in bodies)
        assert all(b.startswith("A sentence") and b.endswith("reply.") for b in bodies)
        assert "".join(bodies).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
            " ", ""
        )
        # Too many buttons, or titles over 20 characters: numbered list instead.
        long_titles = [{"title": "A title longer than twenty", "payload": "/help"}]
        await WhatsAppCloudOutput(channel).send_text_with_buttons(user, "Choose:", long_titles)
        last = graph.whatsapp_sent(number)[-1]
        assert last["type"] == "text" and last["text"]["body"].endswith(
            "1. " + long_titles[0]["title"]
        )
        await channel.close()
    finally:
        runner.stop()
