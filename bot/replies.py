"""What a decision module returns: bot messages by response name, plus slot values.

The offices, guidance and topics modules decide *what* to say as :class:`Reply`
objects; the thin rasa-sdk actions (actions/) turn them into messages. Keeping the
decisions free of Rasa makes them testable without an action server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One bot message: a response name, its template values, optional extras."""

    response: str
    values: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


@dataclass(frozen=True)
class Outcome:
    """Replies plus the slot values the conversation should remember."""

    replies: list[Reply]
    slots: dict[str, Any] = field(default_factory=dict)
