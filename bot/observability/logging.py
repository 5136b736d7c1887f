"""Structured JSON logs without message text or conversation ids in clear.

``WEGWEISER_LOG_FORMAT=json`` makes ``python -m bot.rasa_server`` log one JSON object per
line to stderr (what container platforms collect). Every message and traceback passes
:func:`scrub` first: conversation ids (hex/UUID session ids, messenger pseudonyms) become
a short keyed fingerprint, so one conversation's lines can still be followed, and
personal data is replaced by the redaction placeholders of bot/privacy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
from typing import Any

FORMAT_ENV = "WEGWEISER_LOG_FORMAT"
#: Session ids of the widget/REST (32 hex, UUIDs) and messenger pseudonyms.
CONVERSATION_ID = re.compile(
    r"\b(?:(?:telegram|whatsapp|facebook|twilio|socketio)-)?"
    r"(?:[0-9a-f]{32,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    re.IGNORECASE,
)
#: Rasa echoes user text in a few log lines; these quote it.
QUOTED_TEXT = re.compile(r"(?P<key>\b(?:text|message)\b['\"]?\s*[:=]\s*)(['\"]).*?\2")


def fingerprint(value: str) -> str:
    """A short, stable stand-in for an id (not reversible without the process salt)."""
    salt = os.environ.get("WEGWEISER_PSEUDONYM_KEY", "")
    return "id:" + hashlib.sha256((salt + value).encode()).hexdigest()[:10]


def scrub(text: str) -> str:
    """``text`` without conversation ids, quoted message texts and personal data."""
    from bot.privacy.redaction import redact

    text = CONVERSATION_ID.sub(lambda m: fingerprint(m.group(0)), text)
    text = QUOTED_TEXT.sub(lambda m: m.group("key") + '"[TEXT]"', text)
    return redact(text).text


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, scrubbed message (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a JSON line."""
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def install(level: str | None = None) -> None:
    """Send every log record through :class:`JsonFormatter` to stderr.

    Rasa installs coloredlogs on the root logger after parsing its arguments; that would
    add a second, plain-text handler, so Rasa's installer is replaced by one that only
    sets the level.
    """
    import rasa.utils.io

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))

    def set_level_only(loglevel: str | None) -> None:
        root.setLevel(loglevel or os.environ.get("LOG_LEVEL", "INFO"))

    rasa.utils.io.configure_colored_logging = set_level_only


def wanted() -> bool:
    """Whether ``$WEGWEISER_LOG_FORMAT`` asks for JSON logs."""
    return os.environ.get(FORMAT_ENV, "").lower() == "json"
