"""The development sets (tests/nlu/dev/, dev_offices/) and short messages, on the trained model.

The sentences in tests/nlu/dev/ were written apart from the training data, but their
errors guided training-data additions, so this is a development set: the honest figures
come from the blind set (test_blind.py, docs/benchmarks-nlu.md).
"""

from __future__ import annotations

import asyncio

import pytest
import yaml

from bot.languages import SUPPORTED
from bot.nlu.evaluation import SETS, examples, score_language

pytestmark = pytest.mark.model

HERE = SETS["dev"].parent
#: Regression floors per language. Measured 0.905 (en) to 0.96 after the situation
#: descriptions and everyday office names were added to training, which raised both
#: blind sets (docs/benchmarks-nlu.md) and cost English small talk a little here; 0.897
#: (en) to 0.948 after responsibility questions kept their intent (2026-12-07: retrained
#: with 280 such examples; the English misses are small talk near the fallback threshold).
INTENT_ACCURACY = 0.88
CITY_RECALL = 0.95
SHORT_LANGUAGE_ACCURACY = 0.97


@pytest.fixture(scope="module")
def parse(agent):
    def _parse(texts: list[str]) -> list[dict]:
        async def run() -> list[dict]:
            return [await agent.parse_message(t) for t in texts]

        return asyncio.run(run())

    return _parse


@pytest.mark.parametrize("lang", SUPPORTED)
def test_intent_accuracy_and_city_recall(agent, lang):
    items = examples(SETS["dev"], lang)
    assert len(items) >= 17 * 8
    score = asyncio.run(score_language(agent, items, lang))
    assert score.cities >= 20
    assert score.accuracy >= INTENT_ACCURACY, f"{lang} {score.accuracy:.3f}: {score.wrong[:15]}"
    assert score.city_recall >= CITY_RECALL, (
        f"{lang} {score.city_recall:.3f}: {score.missed_cities}"
    )


#: dev_offices (office questions, a development set for the gazetteer): floors under the
#: lowest measured language (intent 0.83, office type 0.80, city 1.00).
OFFICE_FLOORS = (0.78, 0.75, 0.97)


@pytest.mark.parametrize("lang", SUPPORTED)
def test_office_questions_of_the_development_set(agent, lang):
    items = examples(SETS["dev_offices"], lang)
    assert len(items) == 90
    intent, office, city = OFFICE_FLOORS
    score = asyncio.run(score_language(agent, items, lang))
    assert score.offices == score.cities == 90  # every message names one office in one city
    assert score.accuracy >= intent, f"{lang} {score.accuracy:.3f}: {score.wrong[:15]}"
    assert score.office_recall >= office, (
        f"{lang} {score.office_recall:.3f}: {score.missed_offices}"
    )
    assert score.city_recall >= city, f"{lang} {score.city_recall:.3f}: {score.missed_cities}"


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


@pytest.mark.parametrize(
    ("text", "code", "source"),
    [
        # Office and city masked, no words left: the script still says which two languages,
        ("консультация для беженцев Гельзенкирхен", "ru", "script"),
        ("консультація для біженців Оберхаузен", "uk", "script"),
        ("مكتب معادلة الشهادات بدويسبورغ", "ar", "script"),
        ("یوگند بروفس آگنتور بوخوم", "fa", "script"),
        # and in Latin letters a name that only one language's speakers use.
        ("immigration office oberhausen", "en", "names"),
        ("Hartz IV dairesi Mülheim an der Ruhr", "tr", "names"),
        ("agentura po trudu Hagen", "ru", "names"),
        ("Duisbourg agence pour l'emploi", "fr", "names"),
    ],
)
def test_a_message_of_names_only_is_decided_by_script_or_names(parse, text, code, source):
    [result] = parse([text])
    assert result["language"]["code"] == code, result["language"]
    assert result["language"]["source"] == source


def test_names_everybody_types_decide_nothing(parse):
    texts = ["Jobcenter Essen", "Ausländerbehörde Dortmund"]
    for text, result in zip(texts, parse(texts)):
        assert result["language"]["code"] is None, (text, result["language"])


def test_parse_output_carries_language_at_top_level(parse):
    result = parse(["أين يمكنني تعلم اللغة الألمانية في دورتموند"])[0]
    assert result["language"]["code"] == "ar"
    assert result["language"]["source"] in ("text", "script")
    assert 0.5 <= result["language"]["confidence"] <= 1.0
    assert {"entity": "city", "value": "Dortmund"}.items() <= {
        k: v for e in result["entities"] if e["entity"] == "city" for k, v in e.items()
    }.items()
