"""Held-out evaluation per language against the trained model (thresholds from issue #2).

The sentences in tests/nlu/heldout/ were written separately from the training data.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.languages import SUPPORTED

HERE = Path(__file__).parent
# Issue #2's target: 0.92 in every language, asserted as is. Measured 2026-11-22 (see
# docs/benchmarks.md): de 0.959, en 0.950, ar 0.955, tr 0.934, uk 0.929, ru 0.946, fa 0.935,
# fr 0.961. The error categories of this set guided which intents got more training data
# (never its sentences), so it is a development set now, not a blind one.
INTENT_ACCURACY = 0.92
CITY_RECALL = 0.95
SHORT_LANGUAGE_ACCURACY = 0.97


@pytest.fixture(scope="module")
def parse(agent):
    def _parse(texts: list[str]) -> list[dict]:
        async def run() -> list[dict]:
            return [await agent.parse_message(t) for t in texts]

        return asyncio.run(run())

    return _parse


def heldout(lang: str):
    return RasaYAMLReader().read(HERE / "heldout" / f"{lang}.yml").intent_examples


@pytest.mark.parametrize("lang", SUPPORTED)
def test_intent_accuracy_and_city_recall(parse, lang):
    examples = heldout(lang)
    assert len(examples) >= 17 * 8
    results = parse([e.get("text") for e in examples])
    wrong = [
        (e.get("text"), e.get("intent"), r["intent"]["name"])
        for e, r in zip(examples, results)
        if r["intent"]["name"] != e.get("intent")
    ]
    accuracy = 1 - len(wrong) / len(examples)
    cities = [
        (ent["value"], r)
        for e, r in zip(examples, results)
        for ent in e.get("entities") or []
        if ent["entity"] == "city"
    ]
    missed = [
        (v, r["text"])
        for v, r in cities
        if v not in [x["value"] for x in r["entities"] if x["entity"] == "city"]
    ]
    recall = 1 - len(missed) / len(cities)
    assert len(cities) >= 20
    assert accuracy >= INTENT_ACCURACY, f"{lang} intent accuracy {accuracy:.3f}: {wrong[:15]}"
    assert recall >= CITY_RECALL, f"{lang} city recall {recall:.3f}: {missed}"


def short_messages() -> list[tuple[str, str]]:
    pairs = []
    for lang in SUPPORTED:
        data = yaml.safe_load((HERE / "short" / f"{lang}.yml").read_text(encoding="utf-8"))
        pairs += [(str(m), lang) for m in data["messages"]]
    return pairs


def test_language_decision_on_short_messages(parse):
    pairs = short_messages()
    assert all(1 <= len(t.split()) <= 4 for t, _ in pairs)
    results = parse([t for t, _ in pairs])
    # "auf englisch bitte" is German asking for English: an explicit choice names the
    # language to switch to, which is right. Choices are tested in test_gazetteer and
    # the conversations; here they are left out (15 of 480 today).
    choices = [
        (p, r["language"]) for p, r in zip(pairs, results) if r["language"]["source"] == "choice"
    ]
    assert len(choices) <= len(pairs) * 0.05, choices
    scored = [(p, r) for p, r in zip(pairs, results) if r["language"]["source"] != "choice"]
    wrong = [(t, lang, r["language"]) for (t, lang), r in scored if r["language"]["code"] != lang]
    accuracy = 1 - len(wrong) / len(scored)
    assert accuracy >= SHORT_LANGUAGE_ACCURACY, f"accuracy {accuracy:.3f}: {wrong[:30]}"


NEUTRAL = ["ok", "Essen", "45127", "👍", "Jobcenter", "Dortmund 44135", "???", "okay 🙂"]


def test_neutral_messages_make_no_language_decision(parse):
    for text, result in zip(NEUTRAL, parse(NEUTRAL)):
        assert result["language"]["code"] is None, (text, result["language"])


def test_parse_output_carries_language_at_top_level(parse):
    result = parse(["أين يمكنني تعلم اللغة الألمانية في دورتموند"])[0]
    assert result["language"]["code"] == "ar"
    assert result["language"]["source"] in ("text", "script")
    assert 0.5 <= result["language"]["confidence"] <= 1.0
    assert {"entity": "city", "value": "Dortmund"}.items() <= {
        k: v for e in result["entities"] if e["entity"] == "city" for k, v in e.items()
    }.items()
