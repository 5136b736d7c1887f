"""Hostile input against the real server: size caps, metadata, signed ids, tokens, rates.

All against the channel stack of conftest.py (REST with a token, socket.io, the four
messenger webhooks); every test reads its outcome from the responses and from the
tracker store itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import socketio
import yaml

from bot.channels.limits import REQUEST_MAX_BYTES, RateLimiter, clean_metadata, rate_limiter
from bot.channels.rest import ValidatingRestInput
from bot.channels.whatsapp_twilio import TwilioInput
from bot.paths import PROJECT_ROOT
from tests.channels.conftest import CONNECT_RATE, REST_RATE, SOCKET_RATE, TELEGRAM_RATE, Stack
from tests.channels.sockets import Client
from tests.helpers import texts

#: Personal data a hostile client plants in metadata; none of it may be stored.
PII = {
    "name": "Zofia Planted-Kowalczyk",
    "email": "zofia.planted@example.org",
    "phone": "+49 176 99887766",
}


ADDRESSES = itertools.count(1)


def new_ip() -> str:
    """A client address of its own for each call (a documentation range)."""
    n = next(ADDRESSES)
    return f"198.51.{n >> 8 & 255}.{n & 255}"


def user_metadata(db: Path, sender: str) -> list[dict]:
    """The metadata of every stored user event of ``sender``."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    return [json.loads(data).get("metadata") or {} for (data,) in rows]


def all_rows(db: Path) -> str:
    """Every stored event, as one string to search for planted values."""
    with sqlite3.connect(db) as conn:
        return "\n".join(f"{s} {d}" for s, d in conn.execute("SELECT sender_id, data FROM events"))


def hostile_metadata() -> dict:
    return {
        "language": "uk",
        "user": {"profile": PII, "nested": [[[{"deep": PII["email"]}]]]},
        "referrer": "https://intranet.example/" + PII["name"],
        "padding": "p" * 30_000,
        "phone": PII["phone"],
    }


# ---- 1. request size ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/rest/webhook",
        "/socket.io/",
        "/webhooks/telegram/webhook",
        "/webhooks/facebook/webhook",
        "/webhooks/whatsapp/webhook",
        "/webhooks/twilio/webhook",
    ],
)
def test_bodies_over_64_kib_get_413_on_every_listener(stack: Stack, path: str):
    body = json.dumps({"sender": "big", "message": "x" * (REQUEST_MAX_BYTES + 1)}).encode()
    status, _ = stack.post(path + ("?EIO=4&transport=polling" if "socket" in path else ""), body)
    assert status == 413
    # Just under the cap the request is read and judged on its content instead.
    status, text = stack.rest({"sender": "big", "message": "x" * 30_000}, ip=new_ip())
    assert status == 400 and "at most" in text


def test_a_1_mb_metadata_string_is_refused_and_nothing_stored(stack: Stack):
    sender = "huge-" + uuid.uuid4().hex
    metadata = {"language": "de", "blob": PII["email"] * 50_000}
    status, _ = stack.rest({"sender": sender, "message": "Hallo", "metadata": metadata})
    assert status == 413
    assert stack.stored_events(sender) == []


# ---- 2. metadata -------------------------------------------------------------------


def test_rest_stores_only_the_language_hint(stack: Stack):
    sender = "meta-" + uuid.uuid4().hex
    body = {"sender": sender, "message": "/greet", "metadata": hostile_metadata()}
    status, text = stack.rest({**body, "input_channel": "=2+3"}, ip=new_ip())
    assert status == 200
    assert json.loads(text)[0]["text"] in texts("uk", "utter_greet")  # the hint still works
    [metadata] = user_metadata(stack.db, sender)
    assert {k: v for k, v in metadata.items() if k not in ("model_id", "assistant_id")} == {
        "language": "uk"
    }
    events = stack.stored_events(sender)
    assert {e.get("input_channel") for t, e in events if t == "user"} == {"rest"}
    stored = all_rows(stack.db)
    assert not any(value in stored for value in PII.values())
    assert "p" * 100 not in stored


def test_a_long_or_odd_language_hint_is_dropped():
    assert clean_metadata({"language": "de-DE"}) == {"language": "de-DE"}
    assert clean_metadata({"language": "x" * 17}) is None
    assert clean_metadata({"language": {"code": "de"}}) is None
    assert clean_metadata({"language": "  "}) is None
    assert clean_metadata(["language", "de"]) is None


async def test_socketio_stores_only_the_language_hint(stack: Stack):
    async with Client(stack.base, ip=new_ip()) as client:
        session = await client.session(None)
        await client.sio.emit(
            "user_uttered",
            {"message": "/greet", "session_id": session, "metadata": hostile_metadata()},
        )
        replies = await client.wait_for(1)
    assert replies and replies[0]["text"] in texts("uk", "utter_greet")
    [metadata] = user_metadata(stack.db, session)
    assert metadata.get("language") == "uk"
    assert set(metadata) <= {"language", "model_id", "assistant_id"}
    events = stack.stored_events(session)
    started = [e for t, e in events if t == "session_started"]
    slots = [e for t, e in events if t == "slot" and e.get("name") == "session_started_metadata"]
    assert all(PII["email"] not in json.dumps(e) for e in started + slots)
    assert not any(value in all_rows(stack.db) for value in PII.values())


# ---- 3. conversation ids -----------------------------------------------------------


@pytest.mark.parametrize(
    "requested",
    [
        uuid.uuid4().hex,  # an old, unsigned widget id
        "telegram-" + "0" * 32,  # a messenger pseudonym
        "a" * 32 + "." + "b" * 32,  # the right shape, a forged signature
        "",
        None,
    ],
    ids=["unsigned", "messenger", "forged", "empty", "none"],
)
async def test_session_request_without_a_signed_id_gets_a_new_one(stack: Stack, requested):
    async with Client(stack.base, ip=new_ip()) as client:
        issued = await client.session(requested)
        assert issued != requested and len(issued) == 65
        assert await client.session(issued) == issued  # the issued id continues
        forged = issued[:-1] + ("0" if issued[-1] != "0" else "1")
        assert await client.session(forged) not in (forged, issued)


async def test_a_socket_cannot_write_into_or_delete_a_conversation_it_was_not_given(stack):
    async with Client(stack.base, ip=new_ip()) as owner, Client(stack.base, ip=new_ip()) as other:
        victim = await owner.session(None)
        await owner.say(victim, "/greet", language="en")
        assert await owner.wait_for(1)
        before = len(stack.stored_events(victim))
        own = await other.session(None)
        # Without session_request for it, the victim's id is not this socket's to use.
        await other.say(victim, "Hallo, wo ist das Jobcenter?")
        await other.say(victim, "/delete_my_data")
        await other.say(victim, "/affirm")
        status = await other.sio.call("deletion_status", {"session_id": victim}, timeout=30)
        assert status["deleted"] is False and status["error"]
        for pseudonym in ("telegram-" + "1" * 32, "whatsapp-" + "2" * 32):
            await other.say(pseudonym, "/greet")
        # A barrier: the other socket's own message is answered after the ones it sent before.
        await other.say(own, "/greet", language="fr")
        replies = await other.wait_for(1)
    assert [r["text"] for r in replies if "text" in r][:1] and replies[0]["text"] in texts(
        "fr", "utter_greet"
    )
    assert len(stack.stored_events(victim)) == before
    assert stack.stored_events("telegram-" + "1" * 32) == []
    assert stack.stored_events("whatsapp-" + "2" * 32) == []


@pytest.mark.parametrize(
    "sender", ["telegram-" + "3" * 32, "whatsapp-abc", "Facebook-x", " twilio-1", "TWILIO-2"]
)
def test_rest_refuses_messenger_conversation_ids(stack: Stack, sender: str):
    status, text = stack.rest({"sender": sender, "message": "/greet"}, ip=new_ip())
    assert status == 400 and "messenger" in text
    assert stack.stored_events(sender) == []


def test_rest_needs_the_bearer_token(stack: Stack):
    sender = "token-" + uuid.uuid4().hex
    body = {"sender": sender, "message": "/greet"}
    assert stack.rest(body, ip=new_ip(), token=None)[0] == 401
    assert stack.rest(body, ip=new_ip(), token="wrong")[0] == 401
    assert stack.rest(body, ip=new_ip(), token=" " + "test-rest-token")[0] == 401
    assert stack.stored_events(sender) == []
    assert stack.rest(body, ip=new_ip())[0] == 200
    assert stack.get("/webhooks/rest/")[0] == 200  # the health check stays open


def test_production_credentials_keep_rest_closed_without_a_token(monkeypatch):
    production = yaml.safe_load((PROJECT_ROOT / "credentials.production.yml").read_text())
    rest = production["bot.channels.rest.ValidatingRestInput"]
    monkeypatch.delenv("WEGWEISER_REST_TOKEN", raising=False)
    assert not ValidatingRestInput.from_credentials(rest).enabled
    monkeypatch.setenv("WEGWEISER_REST_TOKEN", "t0ken")
    channel = ValidatingRestInput.from_credentials(rest)
    assert channel.enabled and channel.token == "t0ken"


# ---- 4. rate limits ----------------------------------------------------------------


def test_a_rest_flood_gets_429_and_other_clients_are_unaffected(stack: Stack):
    flooder, neighbour = new_ip(), new_ip()
    # Empty objects: cheap to refuse (400) until the bucket is empty, then 429.
    statuses = [stack.rest({}, ip=flooder)[0] for _ in range(REST_RATE + 10)]
    assert statuses[:REST_RATE] == [400] * REST_RATE
    assert set(statuses) == {400, 429} and statuses.count(429) >= 8  # a token refills in 3 s
    req_status, _ = stack.rest({}, ip=neighbour)
    assert req_status == 400
    sender = "neighbour-" + uuid.uuid4().hex
    for text in ("/greet", "Wo ist das Jobcenter in Essen?", "/thank"):
        status, replies = stack.rest({"sender": sender, "message": text}, ip=neighbour)
        assert status == 200 and json.loads(replies)


def test_a_429_says_when_to_retry(stack: Stack):
    ip = new_ip()
    for _ in range(REST_RATE):
        stack.rest({}, ip=ip)
    req = urllib.request.Request(
        f"{stack.base}/webhooks/rest/webhook",
        data=b"{}",
        headers={"X-Forwarded-For": ip, "Authorization": "Bearer test-rest-token"},
    )
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("expected 429")
    except urllib.error.HTTPError as error:
        assert error.code == 429
        assert 1 <= int(error.headers["Retry-After"]) <= 60


async def test_a_socket_flood_is_dropped_with_a_kind_slow_down(stack: Stack):
    async with Client(stack.base, ip=new_ip()) as client:
        session = await client.session(None)  # one event of the bucket
        # A short pause between events: engine.io refuses a polling batch of more than
        # 16 packets as a whole, and the flood is meant to reach the rate limit.
        for _ in range(SOCKET_RATE + 12):
            await client.say(session, "/greet", language="de")
            await asyncio.sleep(0.05)
        # Events named like the server's own do not reset the rate.
        await client.sio.emit("disconnect", "fake")
        await client.sio.emit("connect", {"sanic.request": "fake"})
        for _ in range(5):
            await client.say(session, "/greet", language="de")
            await asyncio.sleep(0.05)
        # The turns that were let through keep the server busy; the notice follows them.
        deadline = time.monotonic() + 60
        while not client.slow_down and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert client.slow_down and client.slow_down[0]["retry_after"] >= 1
        await client.wait_for(SOCKET_RATE - 1)
        assert len(client.slow_down) == 1  # told once per wait, not once per event
    users = [e for t, e in stack.stored_events(session) if t == "user"]
    assert 1 <= len(users) <= SOCKET_RATE - 1


async def test_connections_per_address_are_limited(stack: Stack):
    ip = new_ip()
    clients, refused = [], 0
    started = time.monotonic()
    for _ in range(CONNECT_RATE + 8):
        client = Client(stack.base, ip=ip)
        try:
            clients.append(await client.__aenter__())
        except socketio.exceptions.ConnectionError:
            refused += 1
    # The bucket refills one connection per 60/CONNECT_RATE seconds meanwhile.
    refilled = int((time.monotonic() - started) / (60 / CONNECT_RATE)) + 1
    await asyncio.gather(*(client.__aexit__() for client in clients))
    assert CONNECT_RATE <= len(clients) <= CONNECT_RATE + refilled
    assert refused >= 8 - refilled
    async with Client(stack.base, ip=new_ip()) as other:  # another address is not affected
        assert await other.session(None)


def test_a_webhook_flood_gets_429(stack: Stack):
    ip = new_ip()
    headers = {"X-Forwarded-For": ip, "Content-Type": "application/json"}
    statuses = [
        stack.post("/webhooks/telegram/webhook", b"{}", headers)[0]
        for _ in range(TELEGRAM_RATE + 20)
    ]
    assert statuses[:TELEGRAM_RATE] == [403] * TELEGRAM_RATE  # no secret token
    assert set(statuses) == {403, 429} and statuses.count(429) >= 10


def test_token_bucket_refills():
    limiter = RateLimiter(2, 0.2)
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")
    time.sleep(0.25)
    assert limiter.allow("a")
    assert rate_limiter("off", "5/min") is None and rate_limiter(False, "5/min") is None
    assert rate_limiter(None, "5/10s").per_second == 0.5
    with pytest.raises(ValueError):
        rate_limiter("many", None)


# ---- Twilio ------------------------------------------------------------------------


def test_twilio_without_a_webhook_url_is_disabled(monkeypatch):
    monkeypatch.setenv("WEGWEISER_PSEUDONYM_KEY", "unit")
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER"):
        monkeypatch.setenv(name, "x")
    monkeypatch.delenv("TWILIO_WEBHOOK_URL", raising=False)
    assert not TwilioInput.from_credentials(None).enabled
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", "https://bot.example/webhooks/twilio/webhook")
    assert TwilioInput.from_credentials(None).enabled
