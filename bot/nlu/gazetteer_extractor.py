"""Rasa entity extractor for cities, postcodes, office types and language names.

A thin Rasa wrapper around :class:`bot.nlu.gazetteer.Gazetteer`. The surface forms are
read from data/gazetteer/ when the model is loaded, and their hash is part of the
component fingerprint, so editing them retrains only what depends on them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.gazetteer import Gazetteer
from bot.paths import PROJECT_ROOT


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class GazetteerEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``city``, ``postal_code``, ``office_type``, ``office_task`` and ``language`` entities.

    ``office_task`` is read and removed by :mod:`bot.nlu.office_request`.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Default configuration."""
        return {
            # Directory with cities.yml, office_types.yml, languages.yml (relative to the project).
            "gazetteer_dir": "data/gazetteer",
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Packages this component imports."""
        return ["spacy", "yaml"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Changes when the gazetteer files change, so cached training is invalidated."""
        digest = hashlib.sha256()
        for path in sorted(_directory(config).glob("*.yml")):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GazetteerEntityExtractor:
        """Load the surface forms."""
        config = {**cls.get_default_config(), **config}
        gazetteer = Gazetteer.from_directory(_directory(config))
        gazetteer.warm_up()  # at model load, not on the first person's message
        return cls(gazetteer)

    def process(self, messages: List[Message]) -> List[Message]:
        """Append the gazetteer's entities to each message."""
        for message in messages:
            found = [
                {
                    "entity": m.entity,
                    "value": m.value,
                    "start": m.start,
                    "end": m.end,
                    "confidence_entity": 1.0,
                    # Which languages name it this way: the language detector's last
                    # resort for a message of names only ("refugee counselling Hagen").
                    **({"languages": sorted(m.languages)} if m.languages else {}),
                }
                for m in self.gazetteer.find(message.get(TEXT) or "")
            ]
            if found:
                message.set(
                    ENTITIES,
                    message.get(ENTITIES, []) + self.add_extractor_name(found),
                    add_to_output=True,
                )
        return messages


def _directory(config: Dict[str, Any]) -> Path:
    path = Path(config.get("gazetteer_dir", "data/gazetteer"))
    return path if path.is_absolute() else PROJECT_ROOT / path
