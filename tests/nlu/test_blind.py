"""The blind NLU test set (tests/nlu/blind/): kept out of training, evaluated per language.

Written 2026-12-05 by authors who saw neither the training data nor the held-out set;
10 messages per intent and language. The figures to quote are in docs/benchmarks-nlu.md
(`make bench-nlu`). The floors below are regression guards set under the first
measurement, not targets: if a language falls below, something broke.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.languages import SUPPORTED

HERE = Path(__file__).parent
#: Every supported language has a blind file (ar/fa/fr/tr and de/en/uk/ru written
#: 2026-12-05 by separate authors).
BLIND_LANGUAGES = SUPPORTED
INTENT_FLOOR = 0.88
CITY_FLOOR = 0.90


def read(path: Path) -> list:
    return RasaYAMLReader().read(path).intent_examples


def test_blind_files_are_the_declared_languages():
    assert sorted(p.stem for p in (HERE / "blind").glob("*.yml")) == sorted(BLIND_LANGUAGES)
    assert set(BLIND_LANGUAGES) <= set(SUPPORTED)


@pytest.mark.parametrize("lang", BLIND_LANGUAGES)
def test_blind_set_per_language(agent, lang):
    examples = read(HERE / "blind" / f"{lang}.yml")
    assert len(examples) == 200  # 10 per intent, 20 intents

    async def parse() -> list[dict]:
        return [await agent.parse_message(e.get("text")) for e in examples]

    results = asyncio.run(parse())
    wrong = [
        (e.get("text"), e.get("intent"), r["intent"]["name"])
        for e, r in zip(examples, results)
        if r["intent"]["name"] != e.get("intent")
    ]
    accuracy = 1 - len(wrong) / len(examples)
    cities = [
        (ent["value"], e.get("text"), r)
        for e, r in zip(examples, results)
        for ent in e.get("entities") or []
        if ent["entity"] == "city"
    ]
    missed = [
        (value, text)
        for value, text, r in cities
        if value not in {x["value"] for x in r["entities"] if x["entity"] == "city"}
    ]
    recall = 1 - len(missed) / len(cities)
    assert accuracy >= INTENT_FLOOR, f"{lang} blind accuracy {accuracy:.3f}: {wrong}"
    assert recall >= CITY_FLOOR, f"{lang} blind city recall {recall:.3f}: {missed}"
