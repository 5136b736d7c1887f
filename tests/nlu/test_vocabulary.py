"""Language of short messages outside our domain: lingua as a voter.

tests/nlu/vocabulary/ holds random dictionary words and word pairs per language from
Debian's hunspell/aspell word lists (tools/make_vocabulary_set.py), not from our data.
Floors are regression guards a little under the measurement in docs/benchmarks-nlu.md;
the in-domain short set keeps its own floor in test_dev.py.
"""

from __future__ import annotations

import asyncio

import pytest
import yaml

from bot.languages import SUPPORTED
from bot.nlu.evaluation import VOCABULARY_DIR, LanguageScore, score_language_decisions
from bot.nlu.langid import LanguageIdentifier, lingua_probabilities, main_script

SINGLE_WORDS_FLOOR = 0.86
WORD_PAIRS_FLOOR = 0.95


def vocabulary(lang: str) -> dict:
    return yaml.safe_load((VOCABULARY_DIR / f"{lang}.yml").read_text(encoding="utf-8"))


def test_every_language_has_150_words_and_150_pairs():
    for lang in SUPPORTED:
        data = vocabulary(lang)
        assert data["language"] == lang and data["source"].startswith("Debian ")
        assert len(set(data["singles"])) == 150
        assert len(data["pairs"]) == 150 and all(len(p.split()) == 2 for p in data["pairs"])


@pytest.mark.parametrize(
    "text,languages",
    [
        ("hola amigos", {"de", "en", "tr", "fr"}),
        ("привіт", {"uk", "ru"}),
        ("سلام", {"ar", "fa"}),
    ],
)
def test_lingua_answers_only_in_our_languages_of_the_script(text, languages):
    probabilities = lingua_probabilities(text, main_script(text))
    assert set(probabilities) <= languages and probabilities
    assert sum(probabilities.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text,code",
    [("Kühlschrank", "de"), ("bonjour", "fr"), ("teşekkür", "tr"), ("خانه", "fa")],
)
def test_lingua_votes_without_our_model(text, code):
    guess = LanguageIdentifier(model=None, lingua_weight=0.5).identify(text)
    assert guess is not None and guess.code == code


def test_minimum_evidence_still_abstains_with_lingua():
    ident = LanguageIdentifier(model=None, lingua_weight=0.5)
    assert ident.identify("ok") is None and ident.identify("Essen", masked=[(0, 5)]) is None


@pytest.mark.model
def test_general_vocabulary_floors(agent):
    totals = {"singles": LanguageScore(), "pairs": LanguageScore()}

    async def run() -> None:
        for lang in SUPPORTED:
            data = vocabulary(lang)
            for kind, total in totals.items():
                total.add(await score_language_decisions(agent, data[kind], lang))

    asyncio.run(run())
    singles, pairs = totals["singles"], totals["pairs"]
    assert singles.accuracy >= SINGLE_WORDS_FLOOR, (singles.accuracy, singles.wrong[:20])
    assert pairs.accuracy >= WORD_PAIRS_FLOOR, (pairs.accuracy, pairs.wrong[:20])
