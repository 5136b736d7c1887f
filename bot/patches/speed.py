"""Speed fixes (and one log fix) for Rasa 3.6 internals (installed by ``bot.patches.install``).

Found by profiling conversation turns with cProfile (see docs/benchmarks.md):

- Rasa checks every action-server response with ``jsonschema.validate``, which first
  validates the (large, constant) event schema against the JSON-Schema metaschema: ~45 ms
  per custom-action call, more than half of a whole turn. We check the schema once and
  reuse a compiled validator; responses are validated as before, with the same errors.
- ``Event.resolve_by_type`` walks every Event subclass (via ``inspect``) for each event it
  deserialises, ~10 % of a turn. We remember the classes it found.
- Rasa interpolates button payloads like ``/inform{"city": "Essen"}`` as if the JSON
  were a ``{slot}`` placeholder and logs an ERROR with a traceback each time (RasaHQ/rasa
  #6616): one per city button, every time the bot asks for the city. Such payloads are
  returned unchanged, as Rasa does after its log, without the false alarm.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction
from rasa.core.nlg import interpolator
from rasa.shared.core.events import Event

ORIGINAL_VALIDATE: Callable[[RemoteAction, dict[str, Any]], bool] = (
    RemoteAction._validate_action_result
)
ORIGINAL_RESOLVE_BY_TYPE: Callable[..., type[Event] | None] = Event.resolve_by_type
ORIGINAL_INTERPOLATE_TEXT: Callable[[str, dict[str, Any]], str] = interpolator.interpolate_text
#: What Rasa's interpolator takes for a placeholder (rasa/core/nlg/interpolator.py).
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
_EVENT_CLASSES: dict[str, type[Event]] = {}


@lru_cache(maxsize=1)
def action_result_validator() -> Validator:
    """A validator for action-server responses, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result`` (same result, same errors)."""
    error: ValidationError | None = best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Drop-in for ``Event.resolve_by_type`` that remembers what it found."""
    cached = _EVENT_CLASSES.get(type_name)
    if cached is not None:
        return cached
    found = ORIGINAL_RESOLVE_BY_TYPE(type_name, default)
    if found is not None and found is not default:  # unknown names are not remembered
        _EVENT_CLASSES[type_name] = found
    return found


def interpolate_text(response: str, values: dict[str, Any]) -> str:
    """Drop-in for ``interpolator.interpolate_text`` that leaves intent payloads alone.

    A payload ``/intent{"entity": "value"}`` whose braces hold JSON (no slot of that
    name) comes back unchanged and silently; everything else goes to Rasa's function.
    """
    if response.startswith("/"):
        keys = _PLACEHOLDER.findall(response)
        if keys and all('"' in key and key not in values for key in keys):
            return response
    return ORIGINAL_INTERPOLATE_TEXT(response, values)


def install() -> None:
    """Replace the slow parts (idempotent); called by :func:`bot.patches.install`."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    interpolator.interpolate_text = interpolate_text
