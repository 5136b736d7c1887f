"""Score one labelled set with the trained model and list what it gets wrong.

    python -m tools.nlu_misses dev_offices            # a set name of bot.nlu.evaluation.SETS
    python -m tools.nlu_misses path/to/dir --lang fa  # or any directory of <lang>.yml files

For working on development sets. It refuses to list the messages of the sealed blind sets
(``blind_fresh``, ``blind_final``, ``blind_holdout``, ``blind_closing``,
``blind_sixth``, ``blind_seventh``): they are only ever reported as totals (``make
bench-nlu``), so nobody tunes on them.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.languages import SUPPORTED
from bot.nlu.evaluation import SETS, Score, examples, score_language
from bot.paths import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "wegweiser.tar.gz"
#: Sets whose messages must never be printed.
SEALED = frozenset(
    {"blind_fresh", "blind_final", "blind_holdout", "blind_closing", "blind_sixth", "blind_seventh"}
)


async def score(directory: Path, langs: list[str], model: Path) -> dict[str, Score]:
    """Scores per language of one directory of <lang>.yml files."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return {
        lang: await score_language(agent, items, lang)
        for lang in langs
        if (items := examples(directory, lang))
    }


def main() -> int:
    """Print totals and misses per language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", help="a set name (bot.nlu.evaluation.SETS) or a directory")
    parser.add_argument("--lang", action="append", choices=SUPPORTED, help="only these")
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args()
    directory = SETS.get(args.set, Path(args.set)).resolve()
    if directory.name in SEALED or args.set in SEALED:
        parser.error(f"{args.set} is sealed: use `make bench-nlu` for its totals")
    scores = asyncio.run(score(directory, args.lang or list(SUPPORTED), args.model))
    for lang, s in scores.items():
        print(
            f"{lang}: intent {s.right}/{s.examples}  office {s.offices_found}/{s.offices}"
            f"  city {s.cities_found}/{s.cities}  language {s.language_right}/{s.language_decided}"
        )
        for text, expected, predicted in s.wrong:
            print(f"  intent  {expected} -> {predicted}: {text}")
        for value, text in s.missed_offices:
            print(f"  office  {value}: {text}")
        for value, text in s.missed_cities:
            print(f"  city    {value}: {text}")
    total = Score()
    for s in scores.values():
        total.add(s)
    print(
        f"all: intent {total.accuracy:.3f}  office {total.office_recall:.3f}"
        f"  city {total.city_recall:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
