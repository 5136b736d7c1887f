"""bot.patches.speed: the faster Rasa internals behave like Rasa's own."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg import interpolator
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import patches
from bot.patches import speed as rasa_patches

patches.install()  # as bot.rasa_server does before Rasa starts

VALID = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "language", "value": "ar"}],
        "responses": [{"response": "utter_greet"}],
    },
    {"events": [{"event": "active_loop", "name": None}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 7, "value": "x"}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["not an object"]},
]


def test_installed_by_install():
    assert RemoteAction._validate_action_result is rasa_patches.validate_action_result
    assert Event.resolve_by_type is rasa_patches.resolve_event_type
    assert interpolator.interpolate_text is rasa_patches.interpolate_text


SLOTS = {"city": "Essen", "name": "Amal"}


@pytest.mark.parametrize(
    "text",
    [
        '/inform{"city": "Essen"}',
        '/find_office{"office_type": "jobcenter", "city": "Herne"}',
        "Hallo {name}, in {city}?",
        "/inform{city}",  # a real slot placeholder in a payload is still filled
        "{no_such_slot} stays",
        "plain text",
    ],
)
def test_interpolation_gives_rasas_result(text):
    ours = interpolator.interpolate(text, SLOTS)
    assert ours == rasa_patches.ORIGINAL_INTERPOLATE_TEXT(text, SLOTS)


def test_json_payloads_are_not_logged_as_errors(capsys, caplog):
    nested = {"buttons": [{"title": "Essen", "payload": '/inform{"city": "Essen"}'}]}
    assert interpolator.interpolate(nested, SLOTS) == nested
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert "interpolator" not in logged


def test_event_types_resolve_as_before():
    for cls in all_subclasses(Event):
        for _ in range(2):  # the second call comes from the cache
            assert Event.resolve_by_type(cls.type_name) is rasa_patches.ORIGINAL_RESOLVE_BY_TYPE(
                cls.type_name
            )
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    # Events still round-trip through their dict form.
    for event in (UserUttered("hallo", {"name": "greet"}), ActionExecuted("utter_greet")):
        assert Event.from_parameters(event.as_dict()) == event


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass_as_before(result):
    action = RemoteAction("action_x", None)
    assert rasa_patches.ORIGINAL_VALIDATE(action, result) is True
    assert action._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_with_the_same_error(result):
    action = RemoteAction("action_x", None)
    with pytest.raises(ValidationError) as original:
        rasa_patches.ORIGINAL_VALIDATE(action, result)
    with pytest.raises(ValidationError) as patched:
        action._validate_action_result(result)
    assert patched.value.message == original.value.message
    assert "Failed to validate Action server response" in patched.value.message
