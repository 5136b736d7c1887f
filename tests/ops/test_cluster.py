"""Two Rasa replicas behind a real nginx: REST, the widget's socket.io and Telegram.

Each Rasa replica is its own process on its own loopback address, the conversations
live in one PostgreSQL database and the lock store in Redis (tools/cluster.py).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid

import aiohttp
import pytest
import socketio

from tests.channels.fakes import FakeTelegram
from tests.channels.test_telegram import new_chat, text_update
from tests.helpers import texts
from tests.ops.conftest import post_telegram, say
from tests.stack import essen_jobcenter_phones
from tests.web.conftest import widget_gets_the_essen_jobcenter_over_websocket
from tools.cluster import Cluster
from tools.traffic import stored_events

pytestmark = [pytest.mark.ops, pytest.mark.server]

#: Client addresses for the socket.io test: nginx hashes each to one replica.
CLIENT_ADDRESSES = [f"127.0.10.{i}" for i in range(1, 13)]


def test_rest_turns_alternate_replicas_and_the_conversation_continues(cluster: Cluster):
    replicas = {r.upstream for r in cluster.replicas}
    phones = essen_jobcenter_phones()
    senders = [f"ops-rest-{uuid.uuid4().hex[:10]}" for _ in range(3)]
    for sender in senders:
        first = say(cluster.proxy_url, sender, "Ich suche das Jobcenter")
        second = say(cluster.proxy_url, sender, "Essen")
        assert first.status == second.status == 200
        # Round-robin: the two turns were answered by the two different replicas ...
        assert {first.upstream, second.upstream} == replicas, (first, second)
        assert first.replies[0] in texts("de", "utter_ask_city"), first.replies
        # ... and the second knew the first's office type (slot kept in PostgreSQL).
        assert any(p in "\n".join(second.replies) for p in phones), second.replies
    events = stored_events(cluster.database_url, senders)
    for sender in senders:
        assert [e["text"] for t, e in events[sender] if t == "user"] == [
            "Ich suche das Jobcenter",
            "Essen",
        ]
        slots = {e["name"]: e["value"] for t, e in events[sender] if t == "slot"}
        assert slots.get("city") in ("essen", "Essen"), slots


class WidgetClient:
    """A browser-like socket.io client (long-polling) with its own source address."""

    def __init__(self, url: str, address: str) -> None:
        self.url = url
        self.address = address
        self.replies: list[dict] = []
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()

    async def __aenter__(self) -> WidgetClient:
        connector = aiohttp.TCPConnector(local_addr=(self.address, 0))
        self.http = aiohttp.ClientSession(connector=connector)
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http)
        self.sio.on("session_confirm", self.confirmed.put)
        self.sio.on("bot_uttered", self.replies.append)
        # python-socketio's websocket transport needs a newer aiohttp than Rasa allows,
        # so this is long-polling: the case that needs sticky routing.
        await self.sio.connect(self.url, transports=["polling"], headers={"Origin": self.url})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.sio.disconnect()
        await self.http.close()

    async def session(self) -> str:
        await self.sio.emit("session_request", {"session_id": None})
        return await asyncio.wait_for(self.confirmed.get(), 30)

    async def say(self, session_id: str, text: str, wait_for: int) -> list[dict]:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id})
        for _ in range(1200):
            if len(self.replies) >= wait_for:
                break
            await asyncio.sleep(0.1)
        return self.replies


def test_widget_page_and_socketio_work_through_nginx_on_both_replicas(cluster: Cluster):
    with urllib.request.urlopen(cluster.proxy_url + "/", timeout=30) as resp:
        page = resp.read().decode()
    # The web service, behind nginx, points the widget at nginx (not at a replica).
    assert resp.status == 200 and f'data-server="{cluster.proxy_url}"' in page

    async def handshake(address: str) -> None:
        async with WidgetClient(cluster.proxy_url, address) as client:
            await client.session()

    async def handshakes() -> None:
        # At once: a long-polling client's disconnect waits for its pending poll to end.
        await asyncio.gather(*(handshake(a) for a in CLIENT_ADDRESSES))

    asyncio.run(handshakes())
    served: dict[str, set[str]] = {}
    for client, upstream, status, request in cluster.access_log():
        if client in CLIENT_ADDRESSES and "/socket.io/" in request:
            assert status in ("200", "101", "499"), (client, upstream, status, request)
            served.setdefault(client, set()).add(upstream)
    # Sticky: every request of a client went to one replica; together they used both.
    assert all(len(ups) == 1 for ups in served.values()), served
    by_replica = {next(iter(ups)): client for client, ups in served.items()}
    assert set(by_replica) == {r.upstream for r in cluster.replicas}, served

    phones = essen_jobcenter_phones()
    ask_city = texts("de", "utter_ask_city")

    async def conversation(address: str) -> list[dict]:
        async with WidgetClient(cluster.proxy_url, address) as client:
            session = await client.session()
            first = await client.say(session, "Ich suche das Jobcenter", 1)
            assert first and first[0].get("text") in ask_city, first
            return await client.say(session, "Essen", len(first) + 1)

    async def both() -> list[list[dict]]:
        return await asyncio.gather(*(conversation(a) for a in by_replica.values()))

    for replies in asyncio.run(both()):
        assert any(p in json.dumps(replies, ensure_ascii=False) for p in phones), replies


def test_telegram_through_nginx_across_replicas(cluster: Cluster, fake_telegram: FakeTelegram):
    chat = new_chat()
    upstreams = []
    for count, text in enumerate(("Ich suche das Jobcenter", "Essen"), start=1):
        status, upstream = post_telegram(cluster, text_update(chat, text))
        assert status == 200
        upstreams.append(upstream)
        fake_telegram.wait_for(lambda _, n=count: len(fake_telegram.sent(chat)) >= n)
    assert set(upstreams) == {r.upstream for r in cluster.replicas}, upstreams
    first, second = fake_telegram.sent(chat)[:2]
    assert first["text"] in texts("de", "utter_ask_city")
    assert any(p in second["text"] for p in essen_jobcenter_phones()), second


def test_widget_in_a_browser_through_nginx_uses_websocket(new_context, cluster: Cluster):
    """The real widget (chromium) through nginx: WebSocket upgrade, answers with the card."""
    page = new_context().new_page()
    widget_gets_the_essen_jobcenter_over_websocket(page, cluster.proxy_url)
    page.context.close()  # nginx logs a WebSocket once it has closed
    for _ in range(50):
        if any(row[2] == "101" and "/socket.io/" in row[3] for row in cluster.access_log()):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("no WebSocket upgrade went through nginx")
