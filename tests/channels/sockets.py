"""A browser-like socket.io client for the channel tests (polling transport).

python-socketio's client uses the polling transport: its websocket transport needs a
newer aiohttp than Rasa allows (field notes §3.2).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import socketio

REPLY_TIMEOUT = 60  # seconds; the machine is shared and slow


class Client:
    """One browser-like socket.io connection."""

    def __init__(self, url: str, origin: str | None = None, ip: str | None = None) -> None:
        self.url = url
        self.origin = origin
        self.ip = ip  # client address as a proxy would forward it (X-Forwarded-For)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: list[dict[str, Any]] = []
        self.slow_down: list[dict[str, Any]] = []
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.sio.on("session_confirm", self.confirmed.put)
        self.sio.on("bot_uttered", self._reply)
        self.sio.on("slow_down", self.slow_down.append)

    async def _reply(self, message: dict[str, Any]) -> None:
        self.replies.append(message)

    async def __aenter__(self) -> Client:
        headers = {"Origin": self.origin} if self.origin else {}
        if self.ip:
            headers["X-Forwarded-For"] = self.ip
        await self.sio.connect(self.url, transports=["polling"], headers=headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        # The client's disconnect waits for the pending long-poll, which the server ends
        # only at its next ping (~25 s); the close packet is out long before that.
        try:
            await asyncio.wait_for(self.sio.disconnect(), 2)
        except asyncio.TimeoutError:
            pass

    async def session(self, session_id: str | None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), 20)

    async def say(self, session_id: str, text: str, **metadata: str) -> None:
        await self.sio.emit(
            "user_uttered", {"message": text, "session_id": session_id, "metadata": metadata}
        )

    async def wait_for(self, count: int, timeout: float = REPLY_TIMEOUT) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.replies) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return self.replies


def bot_events(db: Path, sender: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'bot'", (sender,)
        ).fetchone()[0]
