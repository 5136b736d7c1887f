"""The blind NLU test set (tests/nlu/blind/): kept out of training, evaluated per language.

Written by authors who saw neither the training data nor the development set; 10
messages per intent and language. The figures to quote are in docs/benchmarks-nlu.md
(`make bench-nlu`). The floors below are regression guards set under the first
measurement, not targets: if a language falls below, something broke.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.languages import SUPPORTED
from bot.nlu.evaluation import SETS, examples, score_language

INTENT_FLOOR = 0.88
CITY_FLOOR = 0.90


def test_every_language_has_a_blind_file():
    assert sorted(p.stem for p in SETS["blind"].glob("*.yml")) == sorted(SUPPORTED)


@pytest.mark.model
@pytest.mark.parametrize("lang", SUPPORTED)
def test_blind_set_per_language(agent, lang):
    items = examples(SETS["blind"], lang)
    assert len(items) == 200  # 10 per intent, 20 intents
    score = asyncio.run(score_language(agent, items, lang))
    assert score.accuracy >= INTENT_FLOOR, f"{lang} blind {score.accuracy:.3f}: {score.wrong}"
    assert score.city_recall >= CITY_FLOOR, (
        f"{lang} blind city recall {score.city_recall:.3f}: {score.missed_cities}"
    )
