"""Action that answers topic questions (logic: bot/topics.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.utils import latest_entity, send
from bot import topics
from bot.offices.directory import current_directory


class ActionTopicAnswer(Action):
    """Curated answer to a language-course/apprenticeship/recognition/work/job question."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_topic_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send the disclaimer (once per conversation) and the topic's answer."""
        outcome = topics.answer(
            (tracker.latest_message.get("intent") or {}).get("name"),
            latest_entity(tracker, topics.PART_ENTITY),
            bool(tracker.get_slot(topics.DISCLAIMER_SLOT)),
            city=latest_entity(tracker, "city"),
            directory=current_directory(),
        )
        send(dispatcher, outcome.replies)
        return [SlotSet(k, v) for k, v in outcome.slots.items()]
