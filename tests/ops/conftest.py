"""One cluster for all of tests/ops: two Rasa replicas, actions, web, nginx (tools/cluster.py).

Started once per session (two model loads); fault tests put back whatever they break.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from playwright.sync_api import Browser, sync_playwright

from tests.channels.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.channels.fakes import FakeRunner, FakeTelegram
from tools.cluster import NGINX, Cluster
from tools.traffic import Turn, send

#: The fault tests need replies within 2 s, so the custom-action limit is the default 1.5 s.
ACTION_TIMEOUT = "1.5"


class FlakyTelegram(FakeTelegram):
    """The fake Bot API, able to answer a chat's next sendMessage calls with HTTP 500."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._failures: dict[int, int] = {}
        self._attempts: dict[int, list[tuple[int, float]]] = {}

    def fail_next(self, chat_id: int, count: int) -> None:
        """Answer the next ``count`` sendMessage calls to ``chat_id`` with 500."""
        self._failures[chat_id] = count

    def attempts(self, chat_id: int) -> list[tuple[int, float]]:
        """(HTTP status, monotonic time) of every sendMessage call to ``chat_id``."""
        return list(self._attempts.get(chat_id, []))

    async def method(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat = body.get("chat_id")
        if request.match_info["method"] == "sendMessage" and isinstance(chat, int):
            if self._failures.get(chat, 0) > 0:
                self._failures[chat] -= 1
                self._attempts.setdefault(chat, []).append((500, time.monotonic()))
                return web.json_response(
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"},
                    status=500,
                )
            response = await super().method(request)
            self._attempts.setdefault(chat, []).append((response.status, time.monotonic()))
            return response
        return await super().method(request)


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FlakyTelegram]:
    """A fake Bot API the cluster's Telegram channel sends to."""
    telegram = FlakyTelegram(TELEGRAM_TOKEN)
    runner = FakeRunner(telegram)
    runner.start()
    yield telegram
    runner.stop()


@pytest.fixture(scope="session")
def cluster(
    model_path: str, fake_telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """The running cluster; every test uses its own conversation ids."""
    assert NGINX.exists(), "nginx is not installed: run `make nginx`"
    tmp = tmp_path_factory.mktemp("cluster")
    with Cluster(
        tmp,
        model=Path(model_path),
        telegram=(fake_telegram.base_url, TELEGRAM_TOKEN, TELEGRAM_SECRET),
        extra_env={"WEGWEISER_ACTION_TIMEOUT": ACTION_TIMEOUT},
    ) as running:
        yield running


def say(base: str, sender: str, text: str, timeout: float = 120, **metadata: str) -> Turn:
    """Send one REST message (synchronously, a new connection each time)."""

    async def run() -> Turn:
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as session:
            return await send(session, base, sender, text, **metadata)

    return asyncio.run(run())


def post_telegram(cluster: Cluster, update: dict) -> tuple[int, str]:
    """POST one Telegram update to the cluster's webhook through nginx.

    Returns the HTTP status and the replica that took it (nginx's upstream header).
    """
    request = urllib.request.Request(
        cluster.proxy_url + "/webhooks/telegram/webhook",
        data=json.dumps(update).encode(),
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.status, resp.headers.get("X-Wegweiser-Upstream", "")


# Chromium for the widget test through nginx (tests/web's context fixture).
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, new_context  # noqa: E402, F401


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module only, unlike tests/web's session-wide one.

    While Playwright's sync API is open it keeps an event loop running in this thread,
    and every other test here uses asyncio.run().
    """
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
