"""Socket.IO channel for the web widget, with the fixes Rasa 3.6 lacks.

Rasa 3.6.21's ``SocketIOInput`` calls ``sio.enter_room(...)`` without ``await``.
Since python-socketio 5.10 that method is a coroutine, so with
``session_persistence: true`` the socket never joins its session's room and
every bot reply is lost (RasaHQ/rasa#13027, field notes §3.2). This subclass:

- awaits ``enter_room`` and leaves the previous session's room first, so
  "new conversation" in the widget does not keep receiving old replies;
- checks the browser's ``Origin`` against a configurable list (the stock channel
  switches python-socketio's origin check off with ``cors_allowed_origins=[]``);
- sends custom JSON (our contact cards) as ``{"custom": ...}`` in one
  ``bot_uttered`` event together with its text (the stock output passes the
  dict as keyword arguments to ``emit`` and fails);
- ignores malformed events with a warning instead of raising;
- issues the conversation ids itself, signed with a server key
  ($WEGWEISER_SESSION_KEY, else generated into var/secrets.env): a
  ``session_request`` with no, unknown or unsigned id gets a new one in
  ``session_confirm``, and a socket writes only into the conversation it was
  confirmed for, so knowing someone's id from elsewhere (a ``telegram-…`` pseudonym,
  a guessed or logged id) is not enough to join, write into or delete it;
- keeps only the language hint of ``metadata`` (bot.channels.limits);
- limits events per socket (``rate_limit``, default ``20/min``; over it the event is
  dropped and the socket gets ``slow_down {"retry_after": seconds}``) and new
  connections per IP (``connect_rate_limit``, default ``30/min``), and caps
  engine.io packets at the request size limit;
- answers ``deletion_status {session_id}`` (socket.io acknowledgement
  ``{"deleted": bool}``) from the tracker store itself, so the widget's "delete my
  conversation" reports a deletion only when nothing of the conversation is stored.

The channel name and URL stay ``socketio`` and ``/socket.io``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic
from socketio.exceptions import ConnectionRefusedError as Refused

from bot import local_secrets
from bot.channels.limits import (
    REQUEST_MAX_BYTES,
    cap_request_size,
    clean_metadata,
    client_ip,
    rate_limiter,
)
from bot.channels.rest import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS
from bot.privacy.markers import DELETED_FLAG
from bot.web.origins import DEFAULT_ORIGINS, ORIGINS_ENV, parse_origins

logger = logging.getLogger(__name__)

#: Environment variable with the key that signs conversation ids (var/secrets.env if unset).
SESSION_KEY_ENV = "WEGWEISER_SESSION_KEY"
#: Events per socket (user_uttered, session_request, deletion_status) unless configured.
DEFAULT_RATE = "20/min"
#: New connections per client IP unless configured.
DEFAULT_CONNECT_RATE = "30/min"
#: Event sent to a socket whose events are dropped for going too fast.
SLOW_DOWN_EVT = "slow_down"


class SessionIds:
    """Conversation ids the server issues: ``<random>.<HMAC of it with the server key>``.

    Only the server can make a valid one, so holding one means it was given to you.
    """

    PURPOSE = b"wegweiser-socketio-session\x00"

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the session key must not be empty")
        self._key = key

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._key, self.PURPOSE + nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        """A new signed conversation id (65 characters)."""
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._signature(nonce)}"

    def valid(self, session_id: Any) -> bool:
        """Whether ``session_id`` was issued with this key."""
        if not isinstance(session_id, str) or len(session_id) != 65:
            return False
        nonce, _, signature = session_id.partition(".")
        return len(nonce) == 32 and hmac.compare_digest(signature, self._signature(nonce))


def allowed_origins(credentials: dict[str, Any]) -> list[str] | str:
    """``cors_allowed_origins`` from credentials, else $WIDGET_ALLOWED_ORIGINS, else the default."""
    if credentials.get("cors_allowed_origins"):
        return parse_origins(credentials["cors_allowed_origins"])
    if os.environ.get(ORIGINS_ENV, "").strip():
        return parse_origins(os.environ[ORIGINS_ENV])
    return list(DEFAULT_ORIGINS)


class WidgetOutput(SocketIOOutput):
    """Socket.IO output that delivers custom JSON (contact cards) intact.

    Every event carries ``language`` when the response says which language it is in
    (``metadata.language``, set by bot.responses), so the widget's own texts and its
    direction follow a conversation that switched language by typing. The events of the
    deletion reply carry ``conversation_deleted: true``: the widget then clears the device.
    """

    language: str | None = None
    deleted: bool = False

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if isinstance(response, dict):
            if self.language:
                response = {**response, "language": self.language}
            if self.deleted:
                response = {**response, DELETED_FLAG: True}
        await super()._send_message(socket_id, response)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send a message with custom JSON as one event; anything else as Rasa does."""
        metadata = message.get("metadata")
        language = metadata.get("language") if isinstance(metadata, dict) else None
        # One output object serves one incoming message, whose replies go out in order.
        self.language = language if isinstance(language, str) else None
        self.deleted = isinstance(metadata, dict) and metadata.get(DELETED_FLAG) is True
        custom = message.get("custom")
        if not custom:
            await super().send_response(recipient_id, message)
            return
        event: dict[str, Any] = {"custom": custom}
        if message.get("text"):
            event["text"] = message["text"]
        if message.get("buttons"):
            event["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                for b in message["buttons"]
            ]
        await self._send_message(recipient_id, event)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send custom JSON under the ``custom`` key (the stock method crashes)."""
        await self._send_message(recipient_id, {"custom": json_message})


def _session_id(data: Any) -> str | None:
    value = data.get("session_id") if isinstance(data, dict) else None
    if isinstance(value, str) and value.strip() and len(value) <= MAX_SENDER_CHARS:
        return value
    return None


def _metadata(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    metadata = data.get(key)
    if isinstance(metadata, str):
        if len(metadata) > REQUEST_MAX_BYTES:
            return None
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    return clean_metadata(metadata)


class WidgetSocketIOInput(SocketIOInput):
    """``socketio`` channel with the room fix, an origin check and input validation."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Stock keys plus origins, per-socket and per-IP connection rate limits.

        ``cors_allowed_origins`` (list, comma string or ``"*"``), ``rate_limit`` and
        ``connect_rate_limit`` (e.g. ``"12/min"``, ``off``).
        """
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = allowed_origins(credentials)
        channel.limiter = rate_limiter(credentials.get("rate_limit"), DEFAULT_RATE)
        channel.connect_limiter = rate_limiter(
            credentials.get("connect_rate_limit"), DEFAULT_CONNECT_RATE
        )
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint with our session and message handlers."""
        bp = super().blueprint(on_new_message)
        cap_request_size(bp)
        sio = self.sio
        assert sio is not None  # set by super().blueprint
        server: dict[str, Sanic] = {}
        sessions = SessionIds(local_secrets.get_or_create(SESSION_KEY_ENV).encode())
        limiter = getattr(self, "limiter", rate_limiter(None, DEFAULT_RATE))
        connect_limiter = getattr(self, "connect_limiter", rate_limiter(None, DEFAULT_CONNECT_RATE))
        warned: dict[str, float] = {}  # sid -> when it was last told to slow down

        @bp.listener("after_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            server["app"] = app  # socket.io handlers get no request; the agent lives here

        namespace = self.namespace or "/"
        origins = getattr(self, "cors_allowed_origins", list(DEFAULT_ORIGINS))
        # python-engineio reads this on every handshake; [] (Rasa's value) disables the check.
        sio.eio.cors_allowed_origins = origins
        # engine.io's own packet limit (1 MB by default) covers WebSocket messages too.
        sio.eio.max_http_buffer_size = REQUEST_MAX_BYTES
        stock_connect = sio.handlers[namespace]["connect"]

        async def connect(sid: str, environ: Any = None, auth: Any = None, *_: Any) -> bool:
            # A connected client can also send events named "connect" and "disconnect";
            # only the real ones carry the handshake request / come while disconnecting.
            request = environ.get("sanic.request") if isinstance(environ, dict) else None
            if request is None:
                return False
            ip = client_ip(request)
            if connect_limiter is not None and not connect_limiter.allow(ip):
                raise Refused(
                    {
                        "error": "too many connections",
                        "retry_after": connect_limiter.retry_after(ip),
                    }
                )
            return await stock_connect(sid, environ, auth)

        async def disconnect(sid: str, *_: Any) -> None:
            if sio.manager.is_connected(sid, namespace):
                return  # an event the client sent, not a disconnection (it would reset its rate)
            warned.pop(sid, None)
            if limiter is not None:
                limiter.forget(sid)

        async def too_fast(sid: str) -> bool:
            """True (and a slow_down event, at most once per wait) if ``sid`` is over its rate."""
            if limiter is None or limiter.allow(sid):
                return False
            retry = limiter.retry_after(sid)
            now = time.monotonic()
            if now - warned.get(sid, 0.0) >= retry:
                warned[sid] = now
                await sio.emit(SLOW_DOWN_EVT, {"retry_after": retry}, room=sid, namespace=namespace)
            return True

        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            if await too_fast(sid):
                return
            requested = _session_id(data)
            # Only an id this server signed continues a conversation; anything else
            # (none, an old unsigned id, someone else's pseudonym) starts a new one.
            session_id = requested if sessions.valid(requested) else sessions.issue()
            if self.session_persistence:
                # A socket serves one conversation: leave the previous one's room.
                for room in sio.rooms(sid, namespace=namespace):
                    if room != sid:
                        await sio.leave_room(sid, room, namespace=namespace)
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: Any = None, *_: Any) -> None:
            if await too_fast(sid):
                return
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.warning("socketio: ignored a malformed %s event", self.user_message_evt)
                return
            text = data.get("message", "")
            if len(text) > MAX_MESSAGE_CHARS:
                logger.warning("socketio: ignored a message over %d characters", MAX_MESSAGE_CHARS)
                return
            if self.session_persistence:
                sender_id = _session_id(data)
                if sender_id is None:
                    logger.warning("socketio: ignored a message without a valid session_id")
                    return
                if sender_id == sid or sender_id not in sio.rooms(sid, namespace=namespace):
                    # Only the conversation confirmed to this socket (session_request).
                    logger.warning("socketio: ignored a message for another conversation")
                    return
            else:
                sender_id = sid
            message = UserMessage(
                text,
                WidgetOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=_metadata(data, self.metadata_key or "metadata"),
            )
            await on_new_message(message)

        async def deletion_status(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            if await too_fast(sid):
                return {"deleted": False, "error": "slow down"}
            session_id = _session_id(data)
            if (
                session_id is None
                or session_id == sid
                or session_id not in sio.rooms(sid, namespace=namespace)
            ):
                return {"deleted": False, "error": "not this connection's conversation"}
            agent = getattr(getattr(server.get("app"), "ctx", None), "agent", None)
            if agent is None or agent.tracker_store is None:
                return {"deleted": False, "error": "no tracker store"}
            # Waits for a turn still in progress (its save may be the deletion).
            async with agent.lock_store.lock(session_id):
                exists = await agent.tracker_store.exists(session_id)
            return {"deleted": not exists}

        # Handlers take any number of arguments: a client decides what an event carries
        # (none, or several), and a TypeError here would be an unhandled task error.
        sio.on("connect", connect, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on("deletion_status", deletion_status, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return bp

    def get_output_channel(self) -> SocketIOOutput | None:
        """Output channel for messages triggered from outside (e.g. reminders)."""
        if self.sio is None:
            return super().get_output_channel()  # warns, returns None
        return WidgetOutput(self.sio, self.bot_message_evt)
