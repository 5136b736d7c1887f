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


def test_the_language_model_is_retrained_when_a_word_list_changes(tmp_path, monkeypatch):
    import bot.nlu.language_detector as detector

    (tmp_path / "de.txt").write_text("# header\nhaus\n", encoding="utf-8")
    monkeypatch.setattr(detector, "WORDS_DIR", tmp_path)
    config = LanguageDetector.get_default_config()
    before = calculate_fingerprint_key(LanguageDetector, config, {})
    (tmp_path / "de.txt").write_text("# header\nhaus\nbaum\n", encoding="utf-8")
    assert calculate_fingerprint_key(LanguageDetector, config, {}) != before
    assert detector.common_words(tmp_path) == {"de": ["haus", "baum"]}


def test_common_words_exist_for_every_language_and_leave_the_vocabulary_sets_unseen():
    # The general-vocabulary benchmark (tests/nlu/vocabulary/) must measure unseen words.
    from bot.languages import SUPPORTED
    from bot.nlu.language_detector import common_words

    words = common_words()
    assert set(words) == set(SUPPORTED)
    for language in SUPPORTED:
        assert len(words[language]) >= 5000
        vocabulary = yaml.safe_load(
            (PROJECT_ROOT / "tests" / "nlu" / "vocabulary" / f"{language}.yml").read_text()
        )
        held_out = {
            w.lower() for t in vocabulary["singles"] + vocabulary["pairs"] for w in t.split()
        }
        assert not held_out & set(words[language]), language
