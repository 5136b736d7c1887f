"""One real `rasa run` with all channels as deployed, and fake messenger platforms.

Started once per test session (loading the model takes a while on 2 cores); every
test uses its own chat id / phone number, so tests do not see each other's replies.
Besides the four messenger connectors it serves REST with a bearer token and the
widget's socket.io channel, with rate limits low enough to reach in a test. Sanic
trusts one proxy (``SANIC_PROXIES_COUNT=1``), so a test chooses its client address
with ``X-Forwarded-For``, as the reverse proxy sets it in production.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.privacy.pseudonyms import pseudonym
from tests.channels.fakes import FakeGraph, FakeRunner, FakeTelegram, FakeTwilio
from tools.processes import free_port, start_rasa, stop

PSEUDONYM_KEY = "test-pseudonym-key"
TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_SECRET = "test-telegram-secret_1"
PAGE_TOKEN = "EAAtest-page-token"
MESSENGER_SECRET = "messenger-app-secret"
MESSENGER_VERIFY = "messenger-verify"
WHATSAPP_TOKEN = "EAAtest-whatsapp-token"
WHATSAPP_SECRET = "whatsapp-app-secret"
WHATSAPP_VERIFY = "whatsapp-verify"
PHONE_NUMBER_ID = "106540352242922"
TWILIO_SID = "AC" + "0" * 30 + "1"
TWILIO_TOKEN = "twilio-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
REST_TOKEN = "test-rest-token"
#: Rate limits of the stack (per client address / socket), low enough to reach in a test.
REST_RATE = 20
SOCKET_RATE = 8
CONNECT_RATE = 10
TELEGRAM_RATE = 100


@dataclass
class Stack:
    """The running Rasa server and the fakes it talks to."""

    base: str
    db: Path
    telegram: FakeTelegram
    graph: FakeGraph
    twilio: FakeTwilio
    log: Path

    def post(
        self, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """POST to Rasa; returns (status, body text)."""
        req = urllib.request.Request(f"{self.base}{path}", data=body, headers=headers or {})
        return self.open(req)

    def open(self, req: urllib.request.Request) -> tuple[int, str]:
        """Send ``req``; returns (status, body text), also for 4xx/5xx."""
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        """GET from Rasa; returns (status, body text)."""
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def stored_events(self, sender_id: str) -> list[tuple[str, dict]]:
        """(type_name, event) of a conversation in the tracker store."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
            ).fetchall()
        return [(t, json.loads(d)) for t, d in rows]

    def rest(
        self, body: object, ip: str | None = None, token: str | None = REST_TOKEN
    ) -> tuple[int, str]:
        """POST ``body`` (JSON unless bytes) to the REST channel from client address ``ip``."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if ip is not None:
            headers["X-Forwarded-For"] = ip
        return self.post("/webhooks/rest/webhook", data, headers)

    def rows_containing(self, needle: str) -> int:
        """How many tracker-store rows mention ``needle`` in their sender id or data."""
        with sqlite3.connect(self.db) as conn:
            (count,) = conn.execute(
                "SELECT count(*) FROM events WHERE sender_id LIKE ? OR data LIKE ?",
                (f"%{needle}%", f"%{needle}%"),
            ).fetchone()
        return count


def alias(channel: str, platform_id: str | int) -> str:
    """The pseudonym Rasa stores for a platform id (same key as the server)."""
    return pseudonym(PSEUDONYM_KEY.encode(), channel, str(platform_id))


@pytest.fixture(scope="session")
def stack(
    model_path: str, action_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    graph = FakeGraph(PAGE_TOKEN, WHATSAPP_TOKEN, PHONE_NUMBER_ID)
    twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    fakes = FakeRunner(telegram, graph, twilio)
    fakes.start()

    tmp = tmp_path_factory.mktemp("messengers")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    credentials = tmp / "credentials.yml"
    credentials.write_text(
        f"""
bot.channels.rest.ValidatingRestInput:
  require_token: true
  token: "{REST_TOKEN}"
  rate_limit: "{REST_RATE}/min"
bot.channels.socketio.WidgetSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  rate_limit: "{SOCKET_RATE}/min"
  connect_rate_limit: "{CONNECT_RATE}/min"
bot.channels.telegram.TelegramInput:
  access_token: "{TELEGRAM_TOKEN}"
  secret_token: "{TELEGRAM_SECRET}"
  api_base_url: "{telegram.base_url}"
  rate_limit: "{TELEGRAM_RATE}/min"
bot.channels.messenger.FacebookInput:
  page_access_token: "{PAGE_TOKEN}"
  app_secret: "{MESSENGER_SECRET}"
  verify_token: "{MESSENGER_VERIFY}"
  api_base_url: "{graph.base_url}"
bot.channels.whatsapp_twilio.TwilioInput:
  account_sid: "{TWILIO_SID}"
  auth_token: "{TWILIO_TOKEN}"
  twilio_number: "{TWILIO_NUMBER}"
  webhook_url: "{base}/webhooks/twilio/webhook"
  api_base_url: "{twilio.base_url}"
bot.channels.whatsapp_cloud.WhatsAppCloudInput:
  access_token: "{WHATSAPP_TOKEN}"
  app_secret: "{WHATSAPP_SECRET}"
  verify_token: "{WHATSAPP_VERIFY}"
  phone_number_id: "{PHONE_NUMBER_ID}"
  api_base_url: "{graph.base_url}"
"""
    )
    proc, _, db = start_rasa(
        model_path,
        action_server,
        tmp,
        str(credentials),
        port=port,  # the redacting tracker store of endpoints.yml, as deployed
        WEGWEISER_PSEUDONYM_KEY=PSEUDONYM_KEY,
        WEGWEISER_SESSION_KEY="test-session-key",
        SANIC_PROXIES_COUNT="1",
    )
    yield Stack(base, db, telegram, graph, twilio, tmp / "rasa.log")
    stop(proc)
    fakes.stop()
