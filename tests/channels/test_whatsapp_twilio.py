"""WhatsApp via Twilio: real `rasa run`, fake Twilio REST API, real signature algorithm."""

from __future__ import annotations

import random
import threading
import time
import urllib.parse
import uuid

import pytest

from bot.channels.whatsapp_twilio import MAX_FIELDS
from bot.responses import language_file
from tests.channels.conftest import TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, alias
from tests.channels.fakes import twilio_signature
from tests.helpers import texts

WEBHOOK = "/webhooks/twilio/webhook"


def new_number() -> str:
    return "whatsapp:+49176" + str(random.randint(10**7, 10**8 - 1))


def form(number: str, body: str = "", **extra: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Test",
        "SmsSid": sid,
        "WaId": number.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": body,
        "To": TWILIO_NUMBER,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": number,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def send(stack, params: dict[str, str], signature: str | None = "valid", url: str | None = None):
    body = urllib.parse.urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "valid":
        signed_url = url or f"{stack.base}{WEBHOOK}"
        headers["X-Twilio-Signature"] = twilio_signature(TWILIO_TOKEN, signed_url, params)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return stack.post(WEBHOOK, body, headers)


def replies(stack, number: str, count: int = 1) -> list[str]:
    stack.twilio.wait_for(lambda _: len(stack.twilio.sent(number)) >= count)
    return stack.twilio.sent(number)


def test_message_gets_a_numbered_list_and_a_digit_picks_a_button(stack):
    number = new_number()
    status, body = send(stack, form(number, "/greet"))
    assert status == 200 and "<Response>" in body
    [greeting] = replies(stack, number)
    assert any(greeting.startswith(t) for t in texts("de", "utter_greet"))
    buttons = language_file("de")["responses"]["utter_greet"][0]["buttons"]
    assert greeting.endswith(f"{len(buttons)}. {buttons[-1]['title']}")
    sent = [c.form for c in stack.twilio.snapshot() if c.form.get("To") == number]
    assert sent[0]["From"] == TWILIO_NUMBER

    assert send(stack, form(number, " 3 "))[0] == 200  # third button: apprenticeship
    disclaimer, topic = replies(stack, number, 3)[1:3]
    assert disclaimer in texts("de", "utter_topic_disclaimer")
    assert any(topic.startswith(t) for t in texts("de", "utter_topic_apprenticeship"))
    assert stack.rows_containing(number.removeprefix("whatsapp:+")) == 0
    assert stack.stored_events(alias("twilio", number))


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSByaWdodCBzaWduYXR1cmU="])
def test_bad_signature_is_rejected_with_403(stack, signature):
    assert send(stack, form(new_number(), "/greet"), signature=signature)[0] == 403


def test_signature_for_another_url_is_rejected(stack):
    other = "https://attacker.example/webhooks/twilio/webhook"
    assert send(stack, form(new_number(), "/greet"), url=other)[0] == 403


def test_tampered_body_is_rejected(stack):
    params = form(new_number(), "/greet")
    signature = twilio_signature(TWILIO_TOKEN, f"{stack.base}{WEBHOOK}", params)
    params["Body"] = "/goodbye"
    assert send(stack, params, signature=signature)[0] == 403


@pytest.mark.parametrize(
    "extra",
    [
        {
            "NumMedia": "1",
            "MediaContentType0": "image/jpeg",
            "MediaUrl0": "https://api.twilio.com/x",
        },
        {
            "NumMedia": "1",
            "MediaContentType0": "audio/ogg",
            "MediaUrl0": "https://api.twilio.com/y",
        },
        {"Latitude": "51.4556", "Longitude": "7.0116"},
    ],
    ids=["image", "voice", "location"],
)
def test_media_and_locations_get_a_kind_reply(stack, extra):
    number = new_number()
    assert send(stack, form(number, "", **extra))[0] == 200
    [reply] = replies(stack, number)
    assert reply == texts("de", "utter_only_text")[0]


def test_replayed_message_sid_is_answered_once(stack):
    number = new_number()
    greet = form(number, "/greet")
    assert send(stack, greet)[0] == 200
    assert send(stack, greet)[0] == 200
    assert send(stack, form(number, "/thank"))[0] == 200
    # Replies of one number come in order: once the goodbye is answered, a duplicate
    # greeting would have been sent before it.
    assert send(stack, form(number, "/goodbye"))[0] == 200
    stack.twilio.wait_for(
        lambda _: any(t in texts("de", "utter_goodbye") for t in stack.twilio.sent(number))
    )
    sent = stack.twilio.sent(number)
    assert len(sent) == 3 and sent[1] in texts("de", "utter_thank")


def test_missing_fields_get_400(stack):
    params = form(new_number(), "/greet")
    del params["From"]
    assert send(stack, params)[0] == 400


def test_oversized_body_gets_413(stack):
    assert send(stack, form(new_number(), "x" * (16 * 1024)))[0] == 413
    assert send(stack, form(new_number(), "x" * (1024 * 1024)))[0] == 413


def test_too_many_fields_get_400_even_when_signed(stack):
    params = form(new_number(), "/greet", **{f"Extra{i}": "" for i in range(MAX_FIELDS)})
    assert len(urllib.parse.urlencode(params)) < 16 * 1024
    assert send(stack, params)[0] == 400


def hostile_body() -> bytes:
    """Just under the size cap, as many fields as allowed, a wrong signature."""
    fields = {f"k{i}": "v" * 60 for i in range(MAX_FIELDS - 1)}
    return urllib.parse.urlencode(fields).encode()[: 16 * 1024 - 1]


def test_hostile_posts_do_not_stall_the_event_loop(stack):
    """Health checks stay fast while signed-looking junk arrives in parallel."""
    body = hostile_body()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": "bm90IHRoZSByaWdodCBzaWduYXR1cmU=",
    }
    stop = threading.Event()
    statuses: list[int] = []

    def flood() -> None:
        # An address of its own, so that the other tests' bucket (127.0.0.1) stays full.
        own = {**headers, "X-Forwarded-For": f"203.0.113.{random.randint(1, 254)}"}
        while not stop.is_set():
            statuses.append(stack.post(WEBHOOK, body, own)[0])

    def health_latency() -> float:
        started = time.perf_counter()
        assert stack.get("/webhooks/twilio/")[0] == 200
        return time.perf_counter() - started

    idle = sorted(health_latency() for _ in range(20))
    workers = [threading.Thread(target=flood) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        time.sleep(0.5)
        busy = sorted(health_latency() for _ in range(40))
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    print(
        f"twilio flood: {len(statuses)} hostile posts; health p50 idle {idle[10] * 1000:.1f} ms, "
        f"busy {busy[20] * 1000:.1f} ms, max busy {busy[-1] * 1000:.1f} ms"
    )
    assert set(statuses) <= {403, 429} and statuses
    assert busy[-1] < 0.5, busy
