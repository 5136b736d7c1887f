"""Read free-text answers to the guidance questions, in eight languages.

The keywords live in data/guidance/keywords/<lang>.yml (translators edit them). Text
and keywords are folded (bot/nlu/text.py) and digits made ASCII ("۲۲" -> "22"), then a
keyword must match whole words; ``word*`` also matches words that start with it, and
``^words`` matches only the whole message (punctuation aside): "enough" alone leaves
the form, "my German is not good enough" does not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.languages import DEFAULT, SUPPORTED
from bot.nlu.text import fold
from bot.paths import DATA_DIR

KEYWORDS_DIR = DATA_DIR / "guidance" / "keywords"
SLOTS = ("goal", "age_group", "situation", "receives_buergergeld")
#: For a yes/no answer the negation wins ("I don't get Bürgergeld"); elsewhere the
#: longest (most specific) keyword does ("recognised refugee" over "refugee"), and
#: between equally long ones the value with more matched words.
FIRST_MATCH_WINS = frozenset({"receives_buergergeld"})
#: People mix in German and English words ("Duldung", "job"); these are tried too.
ALSO_TRY = ("de", "en")
ADULT_AGE = 25
AGE_RANGE = range(14, 100)
_NUMBER = re.compile(r"(?<![\d§])(?<!§ )(\d{1,3})(?!\d)")
# Something that looks like a postcode but is not one: 4 or 6+ digits, or 5-6
# characters mixing digits and letters ("45a27").
_BAD_POSTCODE = re.compile(r"(?<!\w)(\d{4}|\d{6,}|(?=(?:\w*?\d){3})(?=\w*[^\W\d])\w{5,6})(?!\w)")


@dataclass(frozen=True)
class Keywords:
    """One language's keywords: ``values[slot][value] = [patterns]``."""

    skip: tuple[re.Pattern[str], ...]
    stop: tuple[re.Pattern[str], ...]
    values: dict[str, dict[str, tuple[tuple[re.Pattern[str], int], ...]]]
    age_markers: tuple[re.Pattern[str], ...]


def normalise(text: str) -> str:
    """Fold case, accents and keyboard variants; make every digit ASCII."""
    folded = fold(text)
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in folded)


def _pattern(keyword: str) -> re.Pattern[str]:
    word = normalise(str(keyword))
    if word.startswith("^"):
        # Punctuation and spaces between the words may vary ("non, arrête", "non arrête").
        words = re.findall(r"\w+", word[1:])
        return re.compile(r"^\W*" + r"\W+".join(map(re.escape, words)) + r"\W*$")
    if word.endswith("*"):
        return re.compile(r"(?<!\w)" + re.escape(word[:-1]))
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")


@cache
def keywords(language: str, directory: Path = KEYWORDS_DIR) -> Keywords:
    """The compiled keywords of ``language`` (the default language if unknown)."""
    code = language if language in SUPPORTED else DEFAULT
    with (directory / f"{code}.yml").open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    values = {
        slot: {
            str(value): tuple((_pattern(k), len(str(k).rstrip("*"))) for k in words)
            for value, words in raw[slot].items()
        }
        for slot in SLOTS
        if slot != "age_group" or raw.get(slot)
    }
    return Keywords(
        skip=tuple(_pattern(k) for k in raw["skip"]),
        stop=tuple(_pattern(k) for k in raw.get("stop") or ()),
        values=values,
        age_markers=tuple(_pattern(k) for k in raw.get("age_markers") or ()),
    )


def _languages(language: str | None) -> list[str]:
    first = language if language in SUPPORTED else DEFAULT
    return list(dict.fromkeys([first, *ALSO_TRY]))


def is_skip(text: str, language: str | None) -> bool:
    """The user wants to skip the question ("skip", "weiß nicht", "لا أعرف")."""
    norm = normalise(text)
    return any(p.search(norm) for code in _languages(language) for p in keywords(code).skip)


def is_stop(text: str, language: str | None) -> bool:
    """The user wants to leave the form ("stop", "abbrechen", "вихід", "إلغاء")."""
    norm = normalise(text)
    return any(p.search(norm) for code in _languages(language) for p in keywords(code).stop)


def match_value(slot: str, text: str, language: str | None) -> str | None:
    """The slot value the text names, or ``None`` when nothing (or a tie) matches."""
    norm = normalise(text)
    for code in _languages(language):
        table = keywords(code).values.get(slot, {})
        hits = [
            (value, length)
            for value, patterns in table.items()
            for pattern, length in patterns
            if pattern.search(norm)
        ]
        if not hits:
            continue
        if slot in FIRST_MATCH_WINS:
            return hits[0][0]
        best = max(length for _, length in hits)
        winners = {value for value, length in hits if length == best}
        if len(winners) == 1:
            return winners.pop()
        # Equally specific words for several values ("из Украины, у меня защита по §24"):
        # the value with more evidence in the message wins; still a tie -> not sure.
        evidence = {v: sum(length for value, length in hits if value == v) for v in winners}
        most = max(evidence.values())
        top = [value for value, total in evidence.items() if total == most]
        return top[0] if len(top) == 1 else None
    return None


def mentions(slot: str, value: str, text: str, language: str | None) -> bool:
    """Whether any keyword of ``value`` (of ``slot``) occurs in ``text``, ties or not."""
    norm = normalise(text)
    return any(
        pattern.search(norm)
        for code in _languages(language)
        for pattern, _ in keywords(code).values.get(slot, {}).get(value, ())
    )


def age_group_from_number(text: str, language: str | None, require_marker: bool) -> str | None:
    """``under_25``/``25_plus`` from an age in the text ("I am 22", "22 года").

    When the age question was not asked, a number counts only next to an age word,
    so "§ 24" or "2 children" are not read as an age.
    """
    norm = normalise(text)
    numbers = [int(m.group(1)) for m in _NUMBER.finditer(norm)]
    ages = [n for n in numbers if n in AGE_RANGE]
    if not ages:
        return None
    if require_marker and not any(
        p.search(norm) for code in _languages(language) for p in keywords(code).age_markers
    ):
        return None
    return "under_25" if ages[-1] < ADULT_AGE else "25_plus"


def bad_postcode(text: str) -> str | None:
    """A token that looks like a mistyped postcode (4/6 digits, letters inside)."""
    match = _BAD_POSTCODE.search(normalise(text))
    return match.group(1) if match else None
