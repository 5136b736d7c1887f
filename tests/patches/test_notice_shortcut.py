"""The notice shortcut: no action-server call unless the notice action has work to do."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.patches import notice_shortcut
from bot.paths import PROJECT_ROOT
from bot.privacy.notice import NOTICE_SLOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain"))
EXTRACTED = [SlotSet("city", "Essen")]


def tracker(text: str, noticed: bool = False) -> DialogueStateTracker:
    events = [SlotSet(NOTICE_SLOT, True)] if noticed else []
    return DialogueStateTracker.from_events(
        "test", [*events, UserUttered(text)], slots=DOMAIN.slots
    )


class Recorder(ActionExtractSlots):
    """Rasa's action with the remote call replaced by a recorder (no action server)."""

    def __init__(self, reply: list[Any]) -> None:
        super().__init__(None)
        self.calls = 0
        self.reply = reply

    async def _run_custom_action(self, *args: Any, **kwargs: Any) -> list[Any]:
        self.calls += 1
        return self.reply


async def run(action: ActionExtractSlots, state: DialogueStateTracker, patched: bool) -> list:
    function = notice_shortcut.execute_validation_action if patched else notice_shortcut.ORIGINAL
    return await function(action, EXTRACTED, None, None, state, DOMAIN)


@pytest.mark.parametrize(
    ("text", "noticed"),
    [("Wo ist das Jobcenter in Essen?", False), ("meine Nummer ist 0176 1234567", True)],
)
async def test_no_call_when_there_is_nothing_to_notice(text, noticed):
    shortcut, original = Recorder([]), Recorder([])
    state = tracker(text, noticed)
    # Same events as Rasa's own function when the action returns nothing, without the call.
    assert await run(shortcut, state, True) == await run(original, state, False)
    assert (shortcut.calls, original.calls) == (0, 1)


async def test_personal_data_still_reaches_the_notice_action():
    notice = [SlotSet(NOTICE_SLOT, True)]
    action = Recorder(notice)
    events = await run(action, tracker("meine Nummer ist 0176 1234567"), True)
    assert action.calls == 1
    assert notice[0] in events and EXTRACTED[0] in events
