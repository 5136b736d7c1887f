"""Call the personal-data notice action only when it has something to do.

Rasa runs the custom action ``action_validate_slot_mappings`` after every user message
(inside ``action_extract_slots``); ours is the once-per-conversation personal-data notice
(actions/privacy.py), which does nothing unless the message carries personal data and the
notice was not given yet. The call still costs every turn a round trip to the action
server with the whole tracker as JSON, and Rasa rebuilds the tracker for it: about a tenth
of a turn (docs/benchmarks.md). The decision needs only the text and one slot, so it is
made here with the same function (``bot.privacy.notice.needs_notice``); when it says no,
the turn goes on exactly as if the action had returned no events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.constants import ACTION_VALIDATE_SLOT_MAPPINGS
from rasa.shared.core.events import Event, SlotSet

from bot.privacy.notice import NOTICE_SLOT, needs_notice

ORIGINAL: Callable[..., Any] = ActionExtractSlots._execute_validation_action


async def execute_validation_action(
    self: ActionExtractSlots,
    extraction_events: list[Event],
    output_channel: Any,
    nlg: Any,
    tracker: Any,
    domain: Any,
) -> list[Event]:
    """Drop-in for ``ActionExtractSlots._execute_validation_action``.

    Skips the remote call when the notice action would return nothing; Rasa then keeps
    the extracted slots as they are, as it does for an action that returns no events.
    """
    if ACTION_VALIDATE_SLOT_MAPPINGS in domain.user_actions:
        text = (tracker.latest_message.text if tracker.latest_message else None) or None
        if not needs_notice(text, tracker.get_slot(NOTICE_SLOT)):
            return [event for event in extraction_events if isinstance(event, SlotSet)]
    return await ORIGINAL(self, extraction_events, output_channel, nlg, tracker, domain)


def install() -> None:
    """Replace the method (idempotent); called by :func:`bot.patches.install`."""
    ActionExtractSlots._execute_validation_action = execute_validation_action
