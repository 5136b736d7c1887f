"""Redact serialized Rasa events before they are stored.

Only what the *user* wrote is redacted: ``user`` events (text, parse_data text, entity
values inside a redacted span) and string slot values that repeat a redacted piece. Bot
messages are never touched: they quote office phone numbers from the directory.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from bot.privacy.redaction import PLACEHOLDERS, Redaction, redact

logger = logging.getLogger(__name__)
#: What is stored instead of a user message the redactor could not process.
MASKED = "[REDACTED]"


def redact_user_event(event: dict[str, Any]) -> tuple[dict[str, Any], Redaction | None]:
    """A copy of a serialized ``user`` event with its personal data replaced.

    Returns the event unchanged (not copied) when nothing was found.
    """
    text = event.get("text")
    if event.get("event") != "user" or not isinstance(text, str) or not text:
        return event, None
    redaction = redact(text)
    if not redaction.findings:
        return event, None
    out = copy.deepcopy(event)
    out["text"] = redaction.text
    parse_data = out.get("parse_data")
    if isinstance(parse_data, dict):
        if parse_data.get("text") == text:
            parse_data["text"] = redaction.text
        for entity in parse_data.get("entities") or []:
            _redact_entity(entity, redaction)
    return out, redaction


def _redact_entity(entity: dict[str, Any], redaction: Redaction) -> None:
    start, end = entity.get("start"), entity.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return
    finding = redaction.covers(start, end)
    if finding is not None:
        entity["value"] = PLACEHOLDERS[finding.label]
        if "text" in entity:
            entity["text"] = PLACEHOLDERS[finding.label]
    entity["start"] = redaction.position(start)
    entity["end"] = redaction.position(end, end=True)


def redact_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Serialized events as they should be stored (same length and order)."""
    out: list[dict[str, Any]] = []
    secrets: dict[str, str] = {}  # redacted original piece -> placeholder
    for event in events:
        try:
            redacted, redaction = redact_user_event(event)
        except Exception:  # never store unredacted text because the redactor failed
            logger.exception("Redaction failed; the message is stored fully masked.")
            redacted, redaction = _masked(event), None
        if redaction is not None:
            for f in redaction.findings:
                secrets[redaction.original[f.start : f.end]] = PLACEHOLDERS[f.label]
        if event.get("event") == "slot" and isinstance(event.get("value"), str) and secrets:
            redacted = _redact_slot(event, secrets)
        out.append(redacted)
    return out


def _masked(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its text replaced entirely (the fallback when redaction fails)."""
    out = copy.deepcopy(event)
    out["text"] = MASKED
    parse_data = out.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = MASKED
        parse_data["entities"] = []
    return out


def _redact_slot(event: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    value = event["value"]
    for piece, placeholder in secrets.items():
        value = value.replace(piece, placeholder)
    if value == event["value"]:
        return event
    return {**event, "value": value}
