"""A speed fix for Rasa 3.6 internals, installed when our NLU components load.

Rasa checks every action-server response with ``jsonschema.validate``, which first
validates the (large, constant) event schema against the JSON-Schema metaschema. On
these machines that metaschema check costs ~45 ms per custom-action call, more than
half of a whole conversation turn (measured with cProfile, see docs/benchmarks.md).
We check the schema once and reuse a compiled validator; the response is validated
exactly as before and errors carry the same message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Dict

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

ORIGINAL_VALIDATE: Callable[[RemoteAction, Dict[str, Any]], bool] = (
    RemoteAction._validate_action_result
)


@lru_cache(maxsize=1)
def action_result_validator() -> Validator:
    """A validator for action-server responses, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
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


def install() -> None:
    """Replace the slow validation (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


install()
