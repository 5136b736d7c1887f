"""The action that confirms a user's request to delete their conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.privacy.markers import DELETION_SLOT


class ActionDeleteMyData(Action):
    """Mark the conversation for deletion and tell the user.

    The action server cannot delete rows itself: Rasa would re-insert its
    in-memory tracker on the next save. The marker slot makes the tracker store
    (bot.privacy.tracker_store) delete every stored event of this sender instead
    of saving the turn.
    """

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_delete_my_data"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Say that the conversation is deleted and set the marker."""
        dispatcher.utter_message(response="utter_data_deleted")
        return [SlotSet(DELETION_SLOT, True)]
