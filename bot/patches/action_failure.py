"""A kind reply instead of silence when a custom action cannot run.

Stock Rasa 3.6 logs a failed custom action (action server down, HTTP 5xx, a reply that
breaks the schema, or a call hanging for up to its 300 s timeout) and carries on with the
action's events dropped: the person sees nothing at all. Here the call is bounded by
``$WEGWEISER_ACTION_TIMEOUT`` seconds (default 1.5, so the reply comes within 2 s) and any
failure becomes ``utter_technical_problem`` in the conversation's language, with the
nationwide numbers from the office directory. The limit is per *turn*, not per action:
one turn may run several custom actions (``action_resolve_language`` then
``action_find_office``), and with a hanging action server each would wait its own
1.5 s. After the first failure, the turn's remaining custom actions are skipped, so the
person gets one apology, not one per action (tests/ops/test_faults.py). Nothing of the
failed action is stored, so no turn is half-written; the next message goes to the action
server again, which continues the conversation normally once it is back.

A form's validation rejection (HTTP 400, ``ActionExecutionRejection``) is part of normal
dialogue and passes through unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Coroutine

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import Event

from bot.offices.directory import current_directory

if TYPE_CHECKING:
    from rasa.core.channels.channel import OutputChannel
    from rasa.core.nlg import NaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

RESPONSE = "utter_technical_problem"
TIMEOUT_ENV = "WEGWEISER_ACTION_TIMEOUT"
DEFAULT_TIMEOUT = 1.5
#: Template value -> directory record whose phone number it shows (data/offices/national.yml).
NUMBERS = {"ba_phone": "de-ba-servicenummer", "phone_115": "de-behoerdennummer-115"}

RunType = Callable[..., Coroutine[Any, Any, list[Event]]]
ORIGINAL_RUN: RunType = RemoteAction.run

#: Per conversation: (the turn's user message id, its deadline, whether an action failed).
#: Only the latest turn of each conversation is kept, and at most TURNS_KEPT of them.
_turns: OrderedDict[str, tuple[str, float, bool]] = OrderedDict()
TURNS_KEPT = 10_000


def timeout() -> float:
    """Seconds a custom-action call may take (``$WEGWEISER_ACTION_TIMEOUT``)."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def numbers() -> dict[str, str]:
    """The nationwide numbers the reply shows, read from the office directory."""
    directory = current_directory()
    values = {}
    for key, office_id in NUMBERS.items():
        office = directory.by_id(office_id)
        if office is None or not office.phone:
            raise LookupError(f"data/offices: record {office_id} with a phone number is missing")
        values[key] = office.phone
    return values


async def kind_reply(
    nlg: NaturalLanguageGenerator, tracker: DialogueStateTracker, output_channel: OutputChannel
) -> list[Event]:
    """``utter_technical_problem`` for this conversation as a bot event (or nothing)."""
    message = await nlg.generate(RESPONSE, tracker, output_channel.name(), **numbers())
    return [create_bot_utterance(message)] if message else []


def turn_state(tracker: DialogueStateTracker) -> tuple[str, float, bool]:
    """The current turn's (key, deadline, failed); the clock starts at its first custom action."""
    latest = tracker.latest_message
    key = f"{latest.message_id}/{latest.timestamp}" if latest is not None else ""
    state = _turns.get(tracker.sender_id)
    if state is None or state[0] != key:
        state = (key, time.monotonic() + timeout(), False)
        _remember(tracker.sender_id, state)
    return state


def _remember(sender_id: str, state: tuple[str, float, bool]) -> None:
    _turns[sender_id] = state
    _turns.move_to_end(sender_id)
    while len(_turns) > TURNS_KEPT:
        _turns.popitem(last=False)


async def run_or_apologise(
    self: RemoteAction,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> list[Event]:
    """``RemoteAction.run`` within the turn's time limit, with one kind reply on failure."""
    key, deadline, failed = turn_state(tracker)
    if failed:
        logger.warning("custom action %s skipped: this turn already failed", self.name())
        return []
    try:
        return await asyncio.wait_for(
            ORIGINAL_RUN(self, output_channel, nlg, tracker, domain),
            max(deadline - time.monotonic(), 0.05),
        )
    except ActionExecutionRejection:
        raise
    except Exception as error:  # noqa: BLE001 - whatever broke, the person gets an answer
        _remember(tracker.sender_id, (key, deadline, True))
        logger.error(
            "custom action %s failed (%s); replied with %s",
            self.name(),
            type(error).__name__,
            RESPONSE,
        )
        return await kind_reply(nlg, tracker, output_channel)


def install() -> None:
    """Wrap ``RemoteAction.run`` (idempotent); the numbers are checked now, not mid-failure."""
    numbers()
    RemoteAction.run = run_or_apologise
