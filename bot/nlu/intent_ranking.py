"""Replacing a message's top intent, as our rule components do after DIET."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def set_top_intent(message: Message, name: str, confidence: float) -> None:
    """Make ``name`` the top intent with ``confidence``; the rest of the ranking stays below."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
    message.set(
        INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}, *ranking], add_to_output=True
    )
