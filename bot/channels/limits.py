"""Limits every Rasa listener applies to hostile input: request size, rate, metadata.

* **Request size.** Sanic accepts bodies up to 100 MB unless told otherwise. Every
  channel of ours caps it (:func:`cap_request_size`) at :data:`REQUEST_MAX_BYTES`
  when the server starts, unless ``$SANIC_REQUEST_MAX_SIZE`` says otherwise;
  ``python -m bot.rasa_server`` also sets the WebSocket frame limit, which Sanic
  reads before any listener runs.
* **Rate.** A token bucket per client (IP address, socket, ...) in this process's
  memory: ``burst`` requests at once, refilled at ``burst`` per ``period``. The
  reverse proxy adds its own per-IP limits in production; these keep a single Rasa
  process usable when something floods it directly.
* **Metadata.** Clients may send a ``metadata`` object with each message; Rasa stores
  it in every user event and in ``session_started_metadata``. We use one field of
  it, the language hint, so :func:`clean_metadata` keeps that (a short string) and
  drops everything else before it can reach the tracker store.
"""

from __future__ import annotations

import os
import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

#: Largest HTTP request body any Rasa listener accepts (Sanic's default is 100 MB).
REQUEST_MAX_BYTES = 64 * 1024

#: Longest language hint kept ("de", "pt-BR", "zh-Hant-TW" all fit).
LANGUAGE_HINT_CHARS = 16

#: Conversation-id prefixes of the messenger channels' pseudonyms: only those
#: channels may write into such conversations.
MESSENGER_PREFIXES = ("telegram-", "whatsapp-", "facebook-", "twilio-")

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|min|minute|h|hour)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def cap_request_size(blueprint: Blueprint, limit: int = REQUEST_MAX_BYTES) -> None:
    """Lower the server's request body limit to ``limit`` when it starts.

    Sanic reads ``REQUEST_MAX_SIZE`` for every new connection, so setting it before
    the server starts covers all routes, Rasa's own included. An explicit
    ``$SANIC_REQUEST_MAX_SIZE`` wins (e.g. to upload training data through the API).
    """

    @blueprint.listener("before_server_start")
    async def cap(app: Sanic, _: Any) -> None:
        if "SANIC_REQUEST_MAX_SIZE" not in os.environ:
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, limit)


def clean_metadata(metadata: Any) -> dict[str, Any] | None:
    """Only the language hint of a client's metadata (a string of at most 16 characters)."""
    if not isinstance(metadata, Mapping):
        return None
    language = metadata.get("language")
    if isinstance(language, str) and 0 < len(language.strip()) <= LANGUAGE_HINT_CHARS:
        return {"language": language.strip()}
    return None


def is_messenger_id(sender_id: str) -> bool:
    """Whether ``sender_id`` is (or poses as) a messenger channel's pseudonym."""
    return sender_id.strip().lower().startswith(MESSENGER_PREFIXES)


def client_ip(request: Request) -> str:
    """The client's address: from the proxy's forwarded header when Sanic trusts it.

    Sanic fills ``remote_addr`` only when configured to trust a proxy
    (``SANIC_PROXIES_COUNT``, ``SANIC_FORWARDED_SECRET`` or ``SANIC_REAL_IP_HEADER``);
    otherwise it is empty and the peer address is used.
    """
    return request.remote_addr or request.ip or "unknown"


class RateLimiter:
    """Token buckets keyed by client, in memory, least recently used forgotten first."""

    def __init__(self, burst: int, period_seconds: float, capacity: int = 100_000) -> None:
        if burst < 1 or period_seconds <= 0:
            raise ValueError("a rate limit needs burst >= 1 and a positive period")
        self.burst = burst
        self.per_second = burst / period_seconds
        self._capacity = capacity
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._capacity:
            self._buckets.popitem(last=False)  # a forgotten client starts with a full bucket
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` has a token again (at least 1)."""
        tokens, _ = self._buckets.get(key, (0.0, 0.0))
        return max(1, int((1.0 - tokens) / self.per_second + 0.999))

    def forget(self, key: str) -> None:
        """Drop ``key``'s bucket (a socket that disconnected)."""
        self._buckets.pop(key, None)


def too_many_requests(limiter: RateLimiter | None, key: str) -> HTTPResponse | None:
    """429 with ``Retry-After`` if ``key`` is over its rate, else None (and a token taken)."""
    if limiter is None or limiter.allow(key):
        return None
    retry = limiter.retry_after(key)
    return response.json(
        {"error": "too many requests", "retry_after": retry},
        status=429,
        headers={"Retry-After": str(retry)},
    )


def rate_limiter(value: Any, default: str | None) -> RateLimiter | None:
    """A limiter from a credentials value like ``"30/min"`` or ``"5/10s"``; ``off`` disables.

    ``"N/unit"`` allows a burst of N requests and refills N per unit (s, min, h);
    ``"N/Ms"`` refills N per M seconds. An unset value means ``default``.
    """
    text = default if value is None or value == "" else str(value)
    if text is None or text.strip().lower() in ("off", "false", "no", "0"):
        return None
    match = _RATE.match(text)
    if not match:
        raise ValueError(f"rate limit {text!r}: expected e.g. '30/min', '5/10s' or 'off'")
    count, multiple, unit = match.groups()
    return RateLimiter(int(count), int(multiple or 1) * _UNIT_SECONDS[unit])
