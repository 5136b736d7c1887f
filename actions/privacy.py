"""Privacy actions: deleting a conversation on request, the personal-data notice."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.privacy.markers import DELETION_SLOT
from bot.privacy.notice import NOTICE_RESPONSE, NOTICE_SLOT, needs_notice, volunteered


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


class ActionNoticePersonalData(Action):
    """After each user message: the once-per-conversation personal-data notice.

    Rasa runs the action named ``action_validate_slot_mappings`` after every user
    message (inside ``action_extract_slots``) and passes its messages on to the person;
    the decision is bot.privacy.notice. Every slot extracted in this turn that this
    action does not return stays as extracted, so other global slots are unaffected.
    """

    def __init__(self) -> None:
        """Build the redactor now: its first use takes about a second (spaCy, directory)."""
        volunteered("0176 1234567")

    def name(self) -> str:
        """The name Rasa calls after every user message."""
        return "action_validate_slot_mappings"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Give the notice if this message has personal data and it was not given yet."""
        text = tracker.latest_message.get("text")
        if not needs_notice(text, tracker.get_slot(NOTICE_SLOT)):
            return []
        dispatcher.utter_message(response=NOTICE_RESPONSE)
        return [SlotSet(NOTICE_SLOT, True)]
