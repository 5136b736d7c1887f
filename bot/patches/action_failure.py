"""A kind reply instead of silence when a custom action cannot run.

Stock Rasa 3.6 logs a failed custom action (action server down, HTTP 5xx, a reply that
breaks the schema, or a call hanging for up to its 300 s timeout) and carries on with the
action's events dropped: the person sees nothing at all. Here the call is bounded by
``$WEGWEISER_ACTION_TIMEOUT`` seconds (default 1.5, so the reply comes within 2 s) and any
failure becomes ``utter_technical_problem`` in the conversation's language, with the
nationwide numbers from the office directory. The limit is per *turn*, not per action:
one turn may run several custom actions (``action_resolve_language`` then
``action_find_office``), and with a hanging action server each would wait its own
1.5 s. After the first failure, the turn's remaining custom actions are skipped, and the
person gets one apology, not one per action (tests/ops/test_faults.py). A custom slot
mapping (``action_resolve_language``) cannot apologise: Rasa keeps only its SlotSet
events, so the next custom action whose messages are shown does. Nothing of the
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
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import Event

from bot.observability.metrics import ACTION_ERRORS
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
#: Only records whose source is official (the BA service number is known only from press).
NUMBERS = {"phone_115": "de-behoerdennummer-115", "bamf_phone": "de-bamf-buergerservice"}
#: Metadata flag on the apology (the widget or staff can tell it from other replies).
FAILURE_MARK = "technical_problem"

RunType = Callable[..., Coroutine[Any, Any, list[Event]]]
ORIGINAL_RUN: RunType = RemoteAction.run


@dataclass
class Turn:
    """What the custom actions of one turn have done so far."""

    key: str  # the user message's id and time
    deadline: float  # time.monotonic() by which the turn's custom actions must be done
    failed: bool = False  # a custom action failed or ran out of time
    apologised: bool = False  # a kind reply went out in this turn


#: The latest turn of each conversation, for at most TURNS_KEPT conversations.
_turns: OrderedDict[str, Turn] = OrderedDict()
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
    if not message:
        return []
    event = create_bot_utterance(message)
    event.metadata = {**(event.metadata or {}), FAILURE_MARK: True}
    return [event]


def current_turn(tracker: DialogueStateTracker) -> Turn:
    """The conversation's current turn; its clock starts at its first custom action."""
    latest = tracker.latest_message
    key = f"{latest.message_id}/{latest.timestamp}" if latest is not None else ""
    turn = _turns.get(tracker.sender_id)
    if turn is None or turn.key != key:
        turn = Turn(key, time.monotonic() + timeout())
        _turns[tracker.sender_id] = turn
        while len(_turns) > TURNS_KEPT:
            _turns.popitem(last=False)
    _turns.move_to_end(tracker.sender_id)
    return turn


def fills_slots_only(action: RemoteAction, domain: Domain) -> bool:
    """Whether ``action`` is a custom slot mapping (its messages are never shown).

    Rasa runs those inside ``action_extract_slots`` and keeps only their SlotSet
    events, so a kind reply from them would be dropped silently.
    """
    return any(
        mapping.get("type") == "custom" and mapping.get("action") == action.name()
        for slot in domain.slots
        for mapping in slot.mappings
    )


async def run_or_apologise(
    self: RemoteAction,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> list[Event]:
    """``RemoteAction.run`` within the turn's time limit, with one kind reply on failure.

    After a failure the turn's further custom actions do not call the action server
    again (that would wait out the limit once more); the first of them whose messages
    are shown gives the kind reply, if none was given yet.
    """
    turn = current_turn(tracker)
    silent = fills_slots_only(self, domain)
    if turn.failed:
        logger.warning("custom action %s skipped: this turn already failed", self.name())
    else:
        try:
            return await asyncio.wait_for(
                ORIGINAL_RUN(self, output_channel, nlg, tracker, domain),
                max(turn.deadline - time.monotonic(), 0.05),
            )
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - whatever broke, the person gets an answer
            turn.failed = True
            reason = type(error).__name__
            logger.error("custom action %s failed (%s)", self.name(), reason)
            ACTION_ERRORS.labels(self.name(), reason).inc()
    if silent or turn.apologised:
        return []
    turn.apologised = True
    logger.error("replied with %s", RESPONSE)
    return await kind_reply(nlg, tracker, output_channel)


def install() -> None:
    """Wrap ``RemoteAction.run`` (idempotent); the numbers are checked now, not mid-failure."""
    numbers()
    RemoteAction.run = run_or_apologise
