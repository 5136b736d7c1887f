"""Helpers shared by the action modules."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.replies import Reply


def send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    """Utter each reply; the text comes from the response in the user's language."""
    for reply in replies:
        dispatcher.utter_message(
            response=reply.response,
            buttons=reply.buttons or None,
            json_message=reply.custom,
            **reply.values,
        )


def latest_entity(tracker: Tracker, entity: str) -> Any:
    """Value of the last ``entity`` in the latest user message, if any."""
    values = [
        e.get("value")
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == entity
    ]
    return values[-1] if values else None
