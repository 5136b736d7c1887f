"""The guidance form's actions (logic: bot/guidance/)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.utils import send
from bot.guidance.form import FORM_SLOTS, Message, step
from bot.guidance.result import recommendation
from bot.offices.directory import current_directory


def _message(tracker: Tracker) -> Message:
    latest = tracker.latest_message
    entities = {e.get("entity"): e.get("value") for e in latest.get("entities") or []}
    return Message(
        text=latest.get("text") or "",
        intent=(latest.get("intent") or {}).get("name"),
        entities=entities,
        language=tracker.get_slot("language"),
    )


def _reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ValidateGuidanceForm(FormValidationAction):
    """Reads every answer of guidance_form and chooses the next question."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_guidance_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """One form turn: bot.guidance.form.step decides, this only translates."""
        requested = tracker.get_slot(REQUESTED_SLOT) if tracker.active_loop_name else None
        answers = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        result = step(
            answers,
            requested,
            _message(tracker),
            current_directory(),
            tracker.get_slot("city") or tracker.get_slot("postal_code"),
        )
        if result.reject:
            return []  # the form rejects; the "stop" rule takes over
        if result.stop:
            # Ending the form here leads to action_guidance_result, which stays silent
            # without a city (a finished form always has one, "skipped" included).
            dispatcher.utter_message(response="utter_guidance_stopped")
            return _reset() + [SlotSet(REQUESTED_SLOT, None)]
        send(dispatcher, result.replies)
        events: list[EventType] = [SlotSet(k, v) for k, v in result.slots.items()]
        if requested and not result.understood:
            # Re-ask instead of rejecting: the answer was for us, we just could not read it.
            events.append(SlotSet(requested, None))
        events.append(SlotSet(REQUESTED_SLOT, result.next_slot))
        return events


class ActionGuidanceResult(Action):
    """All questions answered: the responsible office, why, and how to reach it."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_guidance_result"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the recommendation, then forget the answers (the city stays known)."""
        answers = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        if answers["guidance_city"] is None:
            return []  # the form was stopped, not finished
        _, replies = recommendation(answers, current_directory(), tracker.get_slot("language"))
        send(dispatcher, replies)
        return _reset()


class ActionGuidanceStop(Action):
    """The user said stop: a kind reply, and the conversation goes on."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_guidance_stop"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Close the form if one is open and forget its answers."""
        dispatcher.utter_message(response="utter_guidance_stopped")
        return _close(tracker)


class ActionGuidanceClose(Action):
    """Close the form silently: a request that must not wait (delete my data, a person)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_guidance_close"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Close the form and forget its answers; the request's own rule answers."""
        return _close(tracker)


def _close(tracker: Tracker) -> list[EventType]:
    events = _reset() + [SlotSet(REQUESTED_SLOT, None)]
    if tracker.active_loop_name:
        events.insert(0, ActiveLoop(None))
    return events
