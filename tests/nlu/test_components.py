"""Our NLU components as Rasa's training sees them (without training)."""

from __future__ import annotations

import importlib

import pytest
import yaml
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from bot.nlu.language_detector import LanguageDetector
from bot.paths import PROJECT_ROOT

OURS = [
    step["name"]
    for step in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    if step["name"].startswith("bot.")
]


@pytest.mark.parametrize("path", OURS)
def test_required_packages_import(path: str):
    module, _, name = path.rpartition(".")
    component = getattr(importlib.import_module(module), name)
    for package in component.required_packages():
        importlib.import_module(package)


def test_the_trainable_component_can_be_fingerprinted():
    # Rasa fingerprints a trainable component by the distributions of its required
    # packages; a module name that is no distribution name fails every training.
    assert calculate_fingerprint_key(LanguageDetector, LanguageDetector.get_default_config(), {})
