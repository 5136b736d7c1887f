"""The blind sets written from a brief: regression floors per language.

- tests/nlu/blind_offices/: written by authors who saw neither the training data, the
  gazetteer nor the earlier sets; measured 2026-12-06, lowest language: intent 0.816,
  office-type recall 0.902, city recall 0.961, postcodes 1.000.
- tests/nlu/blind_fresh/: written by authors who opened no file of the project; measured
  2026-12-06, lowest language: intent 0.896, office-type recall 0.829, city recall 0.960,
  postcodes 1.000.
- tests/nlu/blind_final/: written 2026-12-07 by authors who had only a brief; second
  measurement 2026-12-07, lowest language: intent 0.868, office-type recall 0.880, city
  recall 0.988, postcodes 1.000.
- tests/nlu/blind_holdout/: written 2026-12-07 (fifth session) from the same brief by new
  authors; second measurement, lowest language: intent 0.908, office-type recall 0.893,
  city recall 0.966, postcodes 1.000.
- tests/nlu/blind_closing/: written 2026-12-07 (sixth session) from the same brief by new
  authors (its texts were once printed by accident, see its README); first measurement,
  lowest language: intent 0.940, office-type recall 0.906, city recall 0.976.
- tests/nlu/blind_sixth/: written later in the sixth session; first measurement, lowest
  language: intent 0.932, office-type recall 0.859, city recall 0.976, postcodes 1.000.
- tests/nlu/blind_seventh/: written during the seventh session, the honest figure; first
  measurement, lowest language: intent 0.944, office-type recall 0.907, city recall 0.988,
  postcodes 1.000.

Never tuned on (their README.md). The figures to quote are in docs/benchmarks-nlu.md
(`make bench-nlu`). The floors are regression guards a little under those measurements,
not the issue's targets (intent >= 0.95 in every language, office-type recall >= 0.95,
city recall >= 0.98), which are not all reached.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.languages import SUPPORTED
from bot.nlu.evaluation import SETS, examples, score_language

#: Set -> (intent, office-type, city, postcode) floors.
FLOORS = {
    "blind_offices": (0.80, 0.88, 0.95, 0.95),
    "blind_fresh": (0.87, 0.80, 0.94, 0.95),
    "blind_final": (0.84, 0.85, 0.97, 0.95),
    "blind_holdout": (0.88, 0.86, 0.95, 0.95),
    "blind_closing": (0.91, 0.87, 0.95, 0.95),
    "blind_sixth": (0.90, 0.83, 0.95, 0.95),
    "blind_seventh": (0.92, 0.88, 0.96, 0.95),
}


@pytest.mark.parametrize("name", FLOORS)
def test_every_language_has_250_messages_in_ten_groups(name):
    for lang in SUPPORTED:
        items = examples(SETS[name], lang)
        assert len(items) == 250
        groups = {e.get("metadata")["intent"]["group"] for e in items}
        assert len(groups) == 10


@pytest.mark.parametrize("name", FLOORS)
@pytest.mark.parametrize("lang", SUPPORTED)
def test_blind_office_set_per_language(agent, name, lang):
    intent, office, city, postcode = FLOORS[name]
    score = asyncio.run(score_language(agent, examples(SETS[name], lang), lang))
    # Counts only: the messages stay out of the log of a failing run (the sets stay blind).
    assert score.accuracy >= intent, f"{name} {lang} intent {score.accuracy:.3f}"
    assert score.office_recall >= office, f"{name} {lang} office {score.office_recall:.3f}"
    assert score.city_recall >= city, f"{name} {lang} city {score.city_recall:.3f}"
    assert score.postcode_recall >= postcode, f"{name} {lang} postcode {score.postcode_recall:.3f}"
