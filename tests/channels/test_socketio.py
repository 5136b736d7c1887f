"""The socketio channel against a real `rasa run`: the enter_room fix, origins, cards, bad input.

The same socket.io exchange runs against Rasa's stock ``SocketIOInput`` (which must
lose the reply: that is the bug) and against our ``WidgetSocketIOInput``.
python-socketio's client uses the polling transport: its websocket transport needs
a newer aiohttp than Rasa allows (field notes §3.2).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import socketio

from tests.channels.sockets import REPLY_TIMEOUT, Client, bot_events
from tests.helpers import texts
from tests.stack import Stack, essen_jobcenter_phones
from tools.processes import start_rasa, stop


@pytest.fixture(scope="module")
def stock_rasa(
    model_path: str, action_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`rasa run` with Rasa's own SocketIOInput and session_persistence (the documented setup)."""
    tmp = tmp_path_factory.mktemp("stock-socketio")
    credentials = tmp / "credentials.yml"
    credentials.write_text("socketio:\n  session_persistence: true\n")
    proc, url, db = start_rasa(model_path, action_server, tmp, str(credentials))
    yield url, db
    stop(proc)


async def test_stock_channel_loses_the_reply(stock_rasa):
    """The bug we fix: the bot answers, but the answer never reaches the browser."""
    url, db = stock_rasa
    session = uuid.uuid4().hex
    async with Client(url) as client:
        assert await client.session(session) == session
        await client.say(session, "/greet", language="en")
        deadline = time.monotonic() + REPLY_TIMEOUT
        while bot_events(db, session) == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert bot_events(db, session) > 0, "the stock server did not answer at all"
        # The reply was emitted before the tracker was saved; a confirm requested now
        # comes after it on the same connection, so a delivered reply would be here.
        assert await client.session(session) == session
        assert client.replies == []


async def test_our_channel_delivers_the_reply(widget_stack: Stack):
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        await client.say(session, "/greet", language="en")
        replies = await client.wait_for(1)
    assert replies, "no bot_uttered arrived"
    assert replies[0]["text"] in texts("en", "utter_greet")
    assert replies[0]["quick_replies"], "the greeting's topic buttons are missing"


async def test_replies_say_their_language_when_the_user_switches_by_typing(widget_stack: Stack):
    """A German browser, then an Arabic question: the replies are tagged Arabic."""
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        await client.say(session, "/greet", language="de")
        greeting = list(await client.wait_for(1))
        assert [r.get("language") for r in greeting] == ["de"]
        await client.say(session, "كيف أتعلم اللغة الألمانية؟", language="de")
        replies = await client.wait_for(2)
    later = replies[len(greeting) :]
    assert later, replies
    assert {r.get("language") for r in later} == {"ar"}


async def test_server_makes_a_session_id_when_none_is_given(widget_stack: Stack):
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        nonce, _, signature = session.partition(".")
        assert len(nonce) == 32 and len(signature) == 32
        assert await client.session(session) == session  # a signed id continues
        await client.say(session, "/greet", language="de")
        replies = await client.wait_for(1)
    assert replies and replies[0]["text"] in texts("de", "utter_greet")


async def test_contact_card_arrives_whole_with_its_text(widget_stack: Stack):
    """Rasa's stock output crashes on custom JSON; ours sends card and text in one event."""
    entities = json.dumps({"office_type": "jobcenter", "city": "Essen"})
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        await client.say(session, f"/find_office{entities}", language="ar")
        replies = await client.wait_for(1)
    cards = [r for r in replies if (r.get("custom") or {}).get("type") == "office_card"]
    assert cards, replies
    card = cards[0]["custom"]
    assert card["phone"] in essen_jobcenter_phones()
    assert card["tel"].startswith("tel:+49201")
    assert card["name"] in cards[0]["text"]


async def test_origin_check(widget_stack: Stack):
    """Browsers on the allowed site may connect; pages elsewhere may not."""
    async with Client(widget_stack.rasa_url, origin=widget_stack.web_url) as client:
        assert await client.session(None)
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with Client(widget_stack.rasa_url, origin="https://evil.example"):
            pass


async def test_new_session_leaves_the_old_conversation(widget_stack: Stack):
    """After "new conversation", replies in the old conversation no longer reach this socket."""
    async with Client(widget_stack.rasa_url) as switcher, Client(widget_stack.rasa_url) as other:
        old = await switcher.session(None)
        new = await switcher.session(None)
        assert new != old
        assert await other.session(old) == old  # e.g. a second tab of the same browser
        await other.say(old, "/greet", language="en")
        assert await other.wait_for(1)
        await switcher.say(new, "/greet", language="fr")
        # The old conversation's reply was emitted before this one: if it reached the
        # switcher, it is already in the list when the French greeting arrives.
        replies = await switcher.wait_for(1)
    assert all(r["text"] not in texts("en", "utter_greet") for r in replies if "text" in r)
    assert replies[0]["text"] in texts("fr", "utter_greet")


@pytest.mark.parametrize(
    "data",
    [
        "just a string",
        {"message": 5, "session_id": "bad-number"},
        {"message": "hallo"},
        {"message": "hallo", "session_id": ""},
        {"message": "x" * 20_001, "session_id": "bad-too-long"},
    ],
    ids=["string", "number", "no-session", "empty-session", "too-long"],
)
async def test_malformed_events_are_ignored_and_the_socket_keeps_working(widget_stack, data):
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        await client.sio.emit("user_uttered", data)
        await client.say(session, "/greet", language="tr")
        replies = await client.wait_for(1)
    assert replies and replies[0]["text"] in texts("tr", "utter_greet")
    if isinstance(data, dict) and data.get("session_id"):
        assert bot_events(widget_stack.tracker_db, data["session_id"]) == 0


async def test_unreadable_metadata_is_dropped_not_fatal(widget_stack: Stack):
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        await client.sio.emit(
            "user_uttered", {"message": "/greet", "session_id": session, "metadata": "{not json"}
        )
        replies = await client.wait_for(1)
    assert replies and replies[0]["text"]


async def test_deletion_status_comes_from_the_tracker_store(widget_stack: Stack):
    """The widget says "deleted" only when the server stores nothing of the conversation."""
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        assert await client.sio.call("deletion_status", {"session_id": session}) == {
            "deleted": True  # nothing stored yet
        }
        await client.say(session, "/greet", language="en")
        await client.wait_for(1)
        status = await client.sio.call("deletion_status", {"session_id": session}, timeout=60)
        assert status == {"deleted": False}
        # only the connection's own conversation can be asked about
        other = await client.sio.call("deletion_status", {"session_id": uuid.uuid4().hex})
        assert other["deleted"] is False and other["error"]
        assert (await client.sio.call("deletion_status", "junk"))["deleted"] is False


async def test_only_the_deletion_reply_is_flagged_as_deleting_the_conversation(
    widget_stack: Stack,
):
    """The widget clears the device on ``conversation_deleted``; no other reply carries it."""
    deleted_texts = [t.split("\n\n")[0] for t in texts("fr", "utter_data_deleted")]
    async with Client(widget_stack.rasa_url) as client:
        session = await client.session(None)
        await client.say(session, "/delete_my_data", language="fr")
        await client.wait_for(1)
        # the confirmation question (one or more bubbles, the last with the yes button)
        deadline = time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline and not any(
            r.get("quick_replies") for r in client.replies
        ):
            await asyncio.sleep(0.1)
        asked = list(client.replies)
        await client.say(session, "/affirm", language="fr")
        replies = await client.wait_for(len(asked) + 1)
    done = replies[len(asked) :]
    assert asked and not any(r.get("conversation_deleted") for r in asked), asked
    assert done and all(r.get("conversation_deleted") is True for r in done), done
    assert done[0]["text"] in deleted_texts
