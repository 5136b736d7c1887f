"""REST channel that rejects malformed and hostile requests with a clear 4xx.

Rasa's built-in REST channel answers `{"sender": "x"}` with an empty 200 and a JSON
array body with a 500. Clients (and the people behind them) deserve to know what
was wrong, so the body is checked before the message reaches the bot. The URL and
channel name stay `rest`. On top of that:

* the request body is capped (bot.channels.limits, 413) and each client IP gets a
  token bucket (``rate_limit``, default ``60/min``; 429 with ``Retry-After``);
* ``metadata`` keeps only the language hint: nothing else a client sends is stored;
* the client cannot choose the stored ``input_channel`` (Rasa's channel takes it from
  the body) nor write into a messenger conversation (``telegram-…`` and the like);
* with ``require_token: true`` (credentials.production.yml) every message needs
  ``Authorization: Bearer <token>`` with the token from ``token`` or
  ``$WEGWEISER_REST_TOKEN`` (401 otherwise); without a token the channel is disabled
  (503) rather than open.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import (
    cap_request_size,
    clean_metadata,
    client_ip,
    is_messenger_id,
    rate_limiter,
    too_many_requests,
)

#: Longest accepted message; longer ones are refused rather than silently cut.
MAX_MESSAGE_CHARS = 20_000
MAX_SENDER_CHARS = 255  # the tracker store's sender_id column
#: Environment variable with the bearer token of the REST channel.
TOKEN_ENV = "WEGWEISER_REST_TOKEN"
#: Per-IP rate of REST messages unless ``rate_limit`` says otherwise.
DEFAULT_RATE = "60/min"


def _body(request: Request) -> dict[str, Any]:
    body = request.json  # Sanic answers invalid JSON with 400 itself
    if not isinstance(body, dict):
        raise InvalidUsage("request body must be a JSON object")
    return body


class ValidatingRestInput(RestInput):
    """`rest` channel with request validation, a rate limit and an optional token."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Keys: ``require_token``, ``token`` (else $WEGWEISER_REST_TOKEN), ``rate_limit``."""
        credentials = credentials or {}
        return cls(
            token=credentials.get("token") or os.environ.get(TOKEN_ENV) or None,
            require_token=bool(credentials.get("require_token", False)),
            rate_limit=credentials.get("rate_limit"),
        )

    def __init__(
        self, token: str | None = None, require_token: bool = False, rate_limit: Any = None
    ) -> None:
        self.token = token
        # A token, once configured, is always checked; require_token only decides
        # whether its absence disables the channel.
        self.enabled = bool(token) or not require_token
        self.limiter = rate_limiter(rate_limit, DEFAULT_RATE)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's routes, guarded: disabled (503), rate (429) and token (401) first."""
        bp = super().blueprint(on_new_message)
        cap_request_size(bp)

        @bp.middleware("request")
        async def guard(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None  # the health check stays open
            if not self.enabled:
                return response.json({"error": "rest channel is disabled"}, status=503)
            if limited := too_many_requests(self.limiter, client_ip(request)):
                return limited
            if self.token is not None:
                given = request.headers.get("Authorization", "")
                if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                    return response.json({"error": "missing or wrong token"}, status=401)
            return None

        return bp

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage("'sender' must be a non-empty string")
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be at most {MAX_SENDER_CHARS} characters")
        if is_messenger_id(sender):
            # Those conversations belong to a messenger user; only that channel writes there.
            raise InvalidUsage("'sender' must not be a messenger conversation id")
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidUsage(f"'message' must be at most {MAX_MESSAGE_CHARS} characters")
        return message

    def _extract_input_channel(self, req: Request) -> str:
        # Rasa's channel stores a client-chosen `input_channel`; it is always `rest` here.
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Only the language hint of the optional `metadata` object (e.g. `{"language": "ar"}`)."""
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage("'metadata' must be a JSON object")
        return clean_metadata(metadata)
