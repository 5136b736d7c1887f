"""Pseudonymous conversation ids for messenger channels.

Telegram chat ids and phone numbers identify people. They must not end up in the
tracker store, where staff read conversations and where data is kept for months.
Each channel therefore replaces the platform id with a keyed hash (HMAC-SHA256
with a secret key) before Rasa sees the message; the sender_id Rasa stores is the
pseudonym. Sending a reply needs the real id again: that mapping is kept only in
this process's memory (bounded, least recently used first out) and is never written
anywhere. Without the key the pseudonym cannot be reversed or recomputed from a
phone number by guessing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict

from bot import local_secrets

#: Environment variable holding the key (generated into var/secrets.env if unset).
KEY_ENV = "WEGWEISER_PSEUDONYM_KEY"

#: Hex characters of the digest kept: 128 bits, collisions are not a concern.
DIGEST_CHARS = 32


def pseudonym(key: bytes, channel: str, platform_id: str) -> str:
    """``<channel>-<hmac>``: stable for the same key, channel and platform id."""
    message = f"{channel}\x00{platform_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]
    return f"{channel}-{digest}"


def environment_key() -> bytes:
    """The pseudonym key from $WEGWEISER_PSEUDONYM_KEY or var/secrets.env (generated)."""
    return local_secrets.get_or_create(KEY_ENV).encode()


class Pseudonyms:
    """Pseudonymise one channel's ids and remember the way back, in memory only."""

    def __init__(self, channel: str, key: bytes, capacity: int = 100_000) -> None:
        if not key:
            raise ValueError("the pseudonym key must not be empty")
        self.channel = channel
        self._key = key
        self._capacity = capacity
        self._real: OrderedDict[str, str] = OrderedDict()

    def pseudonymise(self, platform_id: str | int) -> str:
        """The pseudonym of ``platform_id``; remembers it for :meth:`platform_id`."""
        raw = str(platform_id)
        alias = pseudonym(self._key, self.channel, raw)
        self._real[alias] = raw
        self._real.move_to_end(alias)
        while len(self._real) > self._capacity:
            self._real.popitem(last=False)  # oldest conversation first
        return alias

    def platform_id(self, alias: str) -> str | None:
        """The real id behind ``alias`` if this process has seen it recently."""
        return self._real.get(alias)

    def __len__(self) -> int:
        return len(self._real)
