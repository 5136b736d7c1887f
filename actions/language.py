"""Actions that keep and change the conversation's language."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.utils import latest_entity
from bot.languages import is_supported, normalise_code
from bot.nlu.language_policy import LanguageState, resolve


def hint_decision(tracker: Tracker) -> dict[str, Any] | None:
    """The channel's language hint as a decision.

    Button payloads ("/greet") skip the NLU pipeline, so no decision was made
    for them; the channel metadata of the user event still carries the hint.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            hint = normalise_code((event.get("metadata") or {}).get("language"))
            if is_supported(hint):
                return {"code": hint, "confidence": 1.0, "source": "metadata", "evidence": 0}
            return None
    return None


class ActionResolveLanguage(Action):
    """Custom slot mapping for ``language``/``language_source`` (runs every turn)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_resolve_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Apply bot.nlu.language_policy to this message's decision."""
        message = tracker.latest_message
        chosen = None
        if (message.get("intent") or {}).get("name") == "choose_language":
            chosen = latest_entity(tracker, "language")
        state = LanguageState(tracker.get_slot("language"), tracker.get_slot("language_source"))
        decision = message.get("language") or hint_decision(tracker)
        new = resolve(state, decision, chosen)
        if new is None:
            return []
        return [SlotSet("language", new.code), SlotSet("language_source", new.source)]


class ActionChooseLanguage(Action):
    """Confirm an explicit language choice, or show the language menu."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_choose_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The slot was already set by action_resolve_language in this turn."""
        chosen = latest_entity(tracker, "language")
        if chosen and chosen == tracker.get_slot("language"):
            dispatcher.utter_message(response="utter_language_set")
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
