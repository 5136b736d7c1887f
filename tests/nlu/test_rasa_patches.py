"""bot.rasa_patches: the faster action-response validation behaves like Rasa's."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import bot.nlu  # noqa: F401  (installs the patch, as loading our model does)
from bot import rasa_patches

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


def test_installed_when_our_components_load():
    assert RemoteAction._validate_action_result is rasa_patches.validate_action_result


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
