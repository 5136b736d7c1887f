"""Whether a chat message asks something (a question mark or word), or offers a choice.

People often leave out the question mark on a phone ("wo beantrage ich Bürgergeld in
Essen", "куда подавать на бюргергельд в Бохуме"), so the interrogatives of each language
(data/gazetteer/questions.yml) count too. German and English ones are tried in every
language, as the guidance form does: people mix them in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

from bot.guidance.answers import ALSO_TRY, normalise
from bot.languages import SUPPORTED
from bot.paths import DATA_DIR

QUESTIONS_FILE = DATA_DIR / "gazetteer" / "questions.yml"
#: Latin, Arabic and full-width question marks.
QUESTION_MARKS = frozenset("?؟？")


@cache
def _word_lists(path: Path = QUESTIONS_FILE) -> dict[str, dict[str, list[str]]]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@cache
def question_words(language: str, path: Path = QUESTIONS_FILE) -> re.Pattern[str] | None:
    """One pattern for the whole-word interrogatives of ``language`` (``None``: none listed)."""
    return _pattern((_word_lists(path).get("questions") or {}).get(language) or [])


@cache
def choice_words(language: str, path: Path = QUESTIONS_FILE) -> re.Pattern[str] | None:
    """One pattern for the words of ``language`` that offer a choice ("or")."""
    return _pattern((_word_lists(path).get("choices") or {}).get(language) or [])


def _pattern(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    folded = sorted({normalise(str(w)) for w in words}, key=len, reverse=True)
    # Whole words; an entry ending in an apostrophe ("ou l'") runs into the next word.
    alternatives = [re.escape(w) + (r"(?!\w)" if w[-1].isalnum() else "") for w in folded]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")")


def is_question(text: str, language: str | None) -> bool:
    """True if ``text`` has a question mark or a question word of ``language``, de or en."""
    return any(mark in text for mark in QUESTION_MARKS) or _has_word(text, language, question_words)


def offers_choice(text: str, language: str | None) -> bool:
    """True if ``text`` offers a choice ("oder", "or", "или") in ``language``, de or en."""
    return _has_word(text, language, choice_words)


def _has_word(
    text: str, language: str | None, patterns: Callable[[str], re.Pattern[str] | None]
) -> bool:
    """Whether a word of ``patterns`` for ``language``, German or English is in ``text``."""
    norm = normalise(text)
    first = [language] if language in SUPPORTED else []
    return any(
        (pattern := patterns(code)) is not None and pattern.search(norm) is not None
        for code in dict.fromkeys([*first, *ALSO_TRY])
    )
