"""Actions that find offices and contact details (logic: bot/offices/finder.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.utils import latest_entity, send
from bot.offices import finder as office_finder
from bot.offices.directory import current_directory


class ActionFindOffice(Action):
    """Answer "where is / how do I reach office X (in city Y)?"."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_find_office"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Show the card, or ask for the one thing that is missing."""
        # A city named now wins over a postcode remembered from earlier ("… in Berlin?").
        named_city = latest_entity(tracker, "city")
        postal_code = latest_entity(tracker, "postal_code") or (
            None if named_city else tracker.get_slot("postal_code")
        )
        outcome = office_finder.find_office(
            current_directory(),
            tracker.get_slot("language"),
            tracker.get_slot("city"),
            postal_code,
            tracker.get_slot("office_type"),
        )
        send(dispatcher, outcome.replies)
        return [SlotSet(k, v) for k, v in outcome.slots.items()]


class ActionInform(Action):
    """The user gave a fact on its own (a city, a postcode, ...)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_inform"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """A place continues the office search; anything else gets the topics."""
        postal_code = latest_entity(tracker, "postal_code")
        city = latest_entity(tracker, "city")
        if not (city or postal_code):
            dispatcher.utter_message(response="utter_inform_thanks")
            return []
        outcome = office_finder.find_office(
            current_directory(),
            tracker.get_slot("language"),
            # A new postcode replaces the remembered city; it may belong to another one.
            city or (None if postal_code else tracker.get_slot("city")),
            postal_code,
            tracker.get_slot("office_type"),
        )
        send(dispatcher, outcome.replies)
        return [SlotSet(k, v) for k, v in outcome.slots.items()]


class ActionRequestHuman(Action):
    """The user wants a person: nationwide numbers and the local route."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send the nationwide services, then the local route."""
        outcome = office_finder.request_human(
            current_directory(), tracker.get_slot("language"), tracker.get_slot("city")
        )
        send(dispatcher, outcome.replies)
        return []
