"""REST channel that rejects malformed requests with a clear 400.

Rasa's built-in REST channel answers `{"sender": "x"}` with an empty 200 and a JSON
array body with a 500. Clients (and the people behind them) deserve to know what
was wrong, so the body is checked before the message reaches the bot. The URL and
channel name stay `rest`.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

#: Longest accepted message; longer ones are refused rather than silently cut.
MAX_MESSAGE_CHARS = 20_000
MAX_SENDER_CHARS = 255  # the tracker store's sender_id column


def _body(request: Request) -> Dict[str, Any]:
    body = request.json  # Sanic answers invalid JSON with 400 itself
    if not isinstance(body, dict):
        raise InvalidUsage("request body must be a JSON object")
    return body


class ValidatingRestInput(RestInput):
    """`rest` channel with request validation."""

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage("'sender' must be a non-empty string")
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be at most {MAX_SENDER_CHARS} characters")
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidUsage(f"'message' must be at most {MAX_MESSAGE_CHARS} characters")
        return message

    def get_metadata(self, request: Request) -> Dict[str, Any] | None:
        """The optional `metadata` object (e.g. `{"language": "ar"}`)."""
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage("'metadata' must be a JSON object")
        return metadata
