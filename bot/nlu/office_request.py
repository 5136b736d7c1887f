"""A greeting (or a message the classifier gave up on) that names an office is a request.

"Hallo, где джобцентр в Essen?" or "Guten Tag, wo ist der Jugendmigrationsdienst in
Wuppertal?" read to a bag-of-features classifier mostly as a greeting; the person gets
"Hello, how can I help?" for a question they have just asked. This component runs after
the gazetteer: when the top intent is one of REQUEST_LIKE and the message names an office
type, the intent becomes ``find_office`` (keeping the classifier's confidence, and its
ranking below). Office names are not greetings, so this cannot turn a plain "hello" into
a request.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

#: Intents that a message naming an office is better served as ``find_office``.
REQUEST_LIKE = frozenset({"greet", "thank", "help", "nlu_fallback"})
FIND_OFFICE = "find_office"


def as_office_request(intent: dict[str, Any] | None, entities: list[dict[str, Any]]) -> bool:
    """True if a message with this intent and these entities should be ``find_office``."""
    name = (intent or {}).get("name")
    return name in REQUEST_LIKE and any(e.get("entity") == "office_type" for e in entities)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OfficeRequestClassifier(GraphComponent):
    """Turns a greeting/fallback that names an office type into ``find_office``."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OfficeRequestClassifier:
        """No state: the rule needs only the message."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Rewrite the intent of each message that asks for an office while greeting."""
        for message in messages:
            intent = message.get(INTENT)
            if not as_office_request(intent, message.get(ENTITIES) or []):
                continue
            confidence = float(intent.get("confidence") or 0.0)
            message.set(INTENT, {"name": FIND_OFFICE, "confidence": confidence}, add_to_output=True)
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FIND_OFFICE
            ]
            message.set(
                INTENT_RANKING_KEY,
                [{"name": FIND_OFFICE, "confidence": confidence}, *ranking],
                add_to_output=True,
            )
        return messages
