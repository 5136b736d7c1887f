"""A kind reply instead of silence when a custom action cannot run.

Stock Rasa 3.6 logs a failed custom action (action server down, HTTP 5xx, a reply that
breaks the schema, or a call hanging for up to its 300 s timeout) and carries on with the
action's events dropped: the person sees nothing at all. Here the call is bounded by
``$WEGWEISER_ACTION_TIMEOUT`` seconds (default 1.5, so the reply comes within 2 s) and any
failure becomes ``utter_technical_problem`` in the conversation's language, with the
nationwide numbers from the office directory. Nothing of the failed action is stored, so
no turn is half-written; the next message goes to the action server again, which
continues the conversation normally once it is back.

A form's validation rejection (HTTP 400, ``ActionExecutionRejection``) is part of normal
dialogue and passes through unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot.observability.metrics import ACTION_ERRORS
from bot.offices.directory import current_directory

if TYPE_CHECKING:
    from rasa.core.channels.channel import OutputChannel
    from rasa.core.nlg import NaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

RESPONSE = "utter_technical_problem"
#: Metadata flag on the apology (the widget or staff can tell it from other replies).
FAILURE_MARK = "technical_problem"
#: Turns (conversation, time of the message) in which a custom action failed; bounded.
_FAILED_TURNS: OrderedDict[tuple[str, float], None] = OrderedDict()
_REMEMBERED_TURNS = 10_000
TIMEOUT_ENV = "WEGWEISER_ACTION_TIMEOUT"
DEFAULT_TIMEOUT = 1.5
#: Template value -> directory record whose phone number it shows (data/offices/national.yml).
#: Only records whose source is official (the BA service number is known only from press).
NUMBERS = {"phone_115": "de-behoerdennummer-115", "bamf_phone": "de-bamf-buergerservice"}

RunType = Callable[..., Coroutine[Any, Any, list[Event]]]
ORIGINAL_RUN: RunType = RemoteAction.run


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
    """``utter_technical_problem`` as a bot event, once per turn (later failures: nothing)."""
    message = await nlg.generate(RESPONSE, tracker, output_channel.name(), **numbers())
    if not message or message.get("text") in said_this_turn(tracker):
        return []
    event = create_bot_utterance(message)
    event.metadata = {**(event.metadata or {}), FAILURE_MARK: True}
    return [event]


def turn_of(tracker: DialogueStateTracker) -> tuple[str, float]:
    """The conversation and the time of the person's latest message: one turn."""
    latest = tracker.latest_message
    return tracker.sender_id, latest.timestamp if latest else 0.0


def failed_this_turn(tracker: DialogueStateTracker) -> bool:
    """Whether a custom action already failed in this turn.

    Remembered outside the tracker: a failing custom slot mapping (run inside
    ``action_extract_slots``) may only return slot events, so the tracker would not show it.
    """
    return turn_of(tracker) in _FAILED_TURNS


def said_this_turn(tracker: DialogueStateTracker) -> set[str]:
    """Texts the bot has sent since the person's last message."""
    texts = set()
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and event.text:
            texts.add(event.text)
    return texts


async def run_or_apologise(
    self: RemoteAction,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> list[Event]:
    """``RemoteAction.run`` with a time limit and a kind reply on failure.

    After one failure in a turn the other custom actions of that turn are skipped:
    waiting for each would add up the time limits.
    """
    if failed_this_turn(tracker):
        # Not called again; the apology is sent unless it already was in this turn (an
        # apology from a custom slot mapping is dropped by Rasa, so it may not have been).
        logger.warning("custom action %s skipped: an earlier one failed in this turn", self.name())
        return await kind_reply(nlg, tracker, output_channel)
    try:
        return await asyncio.wait_for(
            ORIGINAL_RUN(self, output_channel, nlg, tracker, domain), timeout()
        )
    except ActionExecutionRejection:
        raise
    except Exception as error:  # noqa: BLE001 - whatever broke, the person gets an answer
        _FAILED_TURNS[turn_of(tracker)] = None
        while len(_FAILED_TURNS) > _REMEMBERED_TURNS:
            _FAILED_TURNS.popitem(last=False)
        reason = type(error).__name__
        logger.error("custom action %s failed (%s); replied with %s", self.name(), reason, RESPONSE)
        ACTION_ERRORS.labels(self.name(), reason).inc()
        return await kind_reply(nlg, tracker, output_channel)


def install() -> None:
    """Wrap ``RemoteAction.run`` (idempotent); the numbers are checked now, not mid-failure."""
    numbers()
    RemoteAction.run = run_or_apologise
