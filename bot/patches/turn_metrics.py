"""Count and time every turn for bot.observability.metrics.

Rasa 3.6 has no hook around a handled message, so ``MessageProcessor.handle_message`` is
wrapped: the time from receiving a message to the saved turn, the channel, the
conversation's language after the turn and whether the bot fell back ("not understood")
go to Prometheus. A turn that raises (e.g. the tracker store is unreachable) counts as
``error`` and the exception continues as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.observability.metrics import observe_turn

FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_default"})
FALLBACK_INTENTS = frozenset({"nlu_fallback"})

ORIGINAL_HANDLE: Callable[..., Coroutine[Any, Any, Any]] = MessageProcessor.handle_message
ORIGINAL_SAVE: Callable[..., Coroutine[Any, Any, None]] = MessageProcessor.save_tracker
_saved: ContextVar[DialogueStateTracker | None] = ContextVar("wegweiser_saved", default=None)


def outcome(tracker: DialogueStateTracker) -> str:
    """``fallback`` when this turn's intent or an action of it was a fallback."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name in FALLBACK_ACTIONS:
            return "fallback"
        if isinstance(event, UserUttered):
            return "fallback" if event.intent_name in FALLBACK_INTENTS else "answered"
    return "answered"


async def save_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
    """``MessageProcessor.save_tracker`` that remembers the turn's tracker for the metrics."""
    await ORIGINAL_SAVE(self, tracker)
    _saved.set(tracker)


async def handle_message(self: MessageProcessor, message: UserMessage) -> Any:
    """``MessageProcessor.handle_message``, counted and timed."""
    start = time.perf_counter()
    token = _saved.set(None)
    try:
        result = await ORIGINAL_HANDLE(self, message)
    except Exception:
        observe_turn(message.input_channel, None, "error", time.perf_counter() - start)
        raise
    else:
        tracker = _saved.get()
        language = tracker.get_slot("language") if tracker else None
        result_outcome = outcome(tracker) if tracker else "error"
        observe_turn(message.input_channel, language, result_outcome, time.perf_counter() - start)
        return result
    finally:
        _saved.reset(token)


def install() -> None:
    """Wrap the processor (idempotent; called by :func:`bot.patches.install`)."""
    MessageProcessor.handle_message = handle_message
    MessageProcessor.save_tracker = save_tracker
