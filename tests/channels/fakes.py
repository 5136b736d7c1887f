"""Local fake messenger platforms (aiohttp) that speak the real APIs' shapes.

Each fake checks what the real API would check (token in the path or header,
required fields, the limits that make the real API answer 400), answers with the
real response shape, and records every request so tests can assert what a user
would have received. They run on one event loop in a background thread, so the
tests themselves stay synchronous.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tools.processes import free_port


@dataclass
class Call:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    json: dict[str, Any] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)


class FakePlatform:
    """Base: records calls; subclasses add the platform's routes."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._ids = itertools.count(1000)

    def app(self) -> web.Application:
        raise NotImplementedError

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def wait_for(
        self, predicate: Callable[[list[Call]], Any], timeout: float = 120.0
    ) -> list[Call]:
        """Wait until ``predicate(calls)`` is true; return the calls it was true for."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.snapshot()
            if predicate(calls):
                return calls
            time.sleep(0.1)
        raise AssertionError(f"fake platform did not receive the expected calls: {self.calls}")


class FakeTelegram(FakePlatform):
    """Bot API: POST /bot<token>/<method>."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.method)
        return app

    async def method(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.record(Call(request.path, dict(request.headers), json=body))
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        if method == "sendMessage":
            text = body.get("text")
            if not body.get("chat_id") or not isinstance(text, str) or not text.strip():
                return _telegram_error("Bad Request: message text is empty")
            if len(text) > 4096:
                return _telegram_error("Bad Request: message is too long")
            for row in (body.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if not 1 <= len(button.get("callback_data", "").encode()) <= 64:
                        return _telegram_error("Bad Request: BUTTON_DATA_INVALID")
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": body["chat_id"], "type": "private"},
                "text": text,
            }
            return web.json_response({"ok": True, "result": result})
        if method == "answerCallbackQuery":
            return web.json_response({"ok": True, "result": True})
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        return [
            c.json
            for c in self.snapshot()
            if c.path.endswith("/sendMessage") and c.json.get("chat_id") == chat_id
        ]


def _telegram_error(description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": 400, "description": description}, status=400
    )


def _graph_error(message: str, code: int = 100) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": "OAuthException", "code": code}}, status=400
    )


class FakeGraph(FakePlatform):
    """Graph API: Messenger Send API and WhatsApp Cloud API /messages."""

    def __init__(self, page_token: str, whatsapp_token: str, phone_number_id: str) -> None:
        super().__init__()
        self.page_token = page_token
        self.whatsapp_token = whatsapp_token
        self.phone_number_id = phone_number_id

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/me/messages", self.messenger)
        app.router.add_post("/{version}/{phone_id}/messages", self.whatsapp)
        return app

    async def messenger(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.record(Call(request.path, dict(request.headers), json=body))
        if request.headers.get("Authorization") != f"Bearer {self.page_token}":
            return _graph_error("Invalid OAuth access token.", 190)
        recipient = (body.get("recipient") or {}).get("id")
        message = body.get("message") or {}
        if not recipient or not (message.get("text") or message.get("attachment")):
            return _graph_error("(#100) The parameter recipient or message is required")
        if len(message.get("text") or "") > 2000:
            return _graph_error("(#100) Length of param message[text] must be less than 2000")
        quick = message.get("quick_replies") or []
        if len(quick) > 13 or any(len(q.get("title", "")) > 20 for q in quick):
            return _graph_error("(#100) param message[quick_replies] is invalid")
        return web.json_response({"recipient_id": recipient, "message_id": f"m_{next(self._ids)}"})

    async def whatsapp(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.record(Call(request.path, dict(request.headers), json=body))
        if request.headers.get("Authorization") != f"Bearer {self.whatsapp_token}":
            return _graph_error("Invalid OAuth access token.", 190)
        if request.match_info["phone_id"] != self.phone_number_id:
            return _graph_error("Unsupported post request.", 100)
        if body.get("messaging_product") != "whatsapp" or not body.get("to"):
            return _graph_error("(#100) The parameter messaging_product is required.")
        kind = body.get("type")
        if kind == "text":
            text = (body.get("text") or {}).get("body") or ""
            if not text or len(text) > 4096:
                return _graph_error("(#100) Invalid parameter", 131009)
        elif kind == "interactive":
            interactive = body.get("interactive") or {}
            buttons = (interactive.get("action") or {}).get("buttons") or []
            titles = [b.get("reply", {}).get("title", "") for b in buttons]
            if not 1 <= len(buttons) <= 3 or any(not 1 <= len(t) <= 20 for t in titles):
                return _graph_error("(#131009) Parameter value is not valid", 131009)
            if len((interactive.get("body") or {}).get("text") or "") > 1024:
                return _graph_error("(#131009) Parameter value is not valid", 131009)
        else:
            return _graph_error(f"(#100) Unsupported message type {kind}")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.FAKE{next(self._ids)}"}],
            }
        )

    def messenger_sent(self, psid: str) -> list[dict[str, Any]]:
        return [
            c.json["message"]
            for c in self.snapshot()
            if c.path.endswith("/me/messages") and c.json.get("recipient", {}).get("id") == psid
        ]

    def whatsapp_sent(self, wa_id: str) -> list[dict[str, Any]]:
        return [
            c.json
            for c in self.snapshot()
            if not c.path.endswith("/me/messages") and c.json.get("to") == wa_id
        ]


class FakeTwilio(FakePlatform):
    """Twilio REST: POST /2010-04-01/Accounts/<sid>/Messages.json (form encoded)."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.messages)
        return app

    async def messages(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        self.record(Call(request.path, dict(request.headers), form=form))
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if (
            request.match_info["sid"] != self.account_sid
            or request.headers.get("Authorization") != f"Basic {expected}"
        ):
            return web.json_response(
                {"code": 20003, "message": "Authenticate", "status": 401}, status=401
            )
        if not form.get("To") or not form.get("From"):
            return web.json_response(
                {"code": 21604, "message": "A 'To' phone number is required.", "status": 400},
                status=400,
            )
        if not form.get("Body") or len(form["Body"]) > 1600:
            return web.json_response(
                {
                    "code": 21617,
                    "message": "The concatenated message body exceeds the 1600 character limit.",
                    "status": 400,
                },
                status=400,
            )
        sid = f"SM{next(self._ids):032d}"
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "from": form["From"],
                "to": form["To"],
                "body": form["Body"],
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status=201,
        )

    def sent(self, number: str) -> list[str]:
        return [c.form["Body"] for c in self.snapshot() if c.form.get("To") == number]


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature as Twilio computes it: base64(HMAC-SHA1(url + sorted k+v))."""
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def hub_signature(app_secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 as Meta computes it."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class FakeRunner:
    """Runs fake platforms on an event loop in a daemon thread."""

    def __init__(self, *fakes: FakePlatform) -> None:
        self.fakes = fakes
        self.loop = asyncio.new_event_loop()
        self._runners: list[web.AppRunner] = []
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)

    async def _start(self) -> None:
        for fake in self.fakes:
            runner = web.AppRunner(fake.app())
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", fake.port).start()
            self._runners.append(runner)

    def stop(self) -> None:
        async def cleanup() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
