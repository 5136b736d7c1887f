"""The redactor's per-language word lists: data/privacy/<lang>.yml, read once.

Each supported language has one file with every key of :data:`KEYS` (an empty list is
allowed, a missing key or a missing file is an error: a new language fails loudly until
its file exists). Messages mix languages ("Meine Kundennummer ist ..." in a Russian
sentence), so the redactor uses the union of all languages' words for every message;
:func:`word_lists` builds it once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.languages import SUPPORTED
from bot.paths import DATA_DIR

WORDLIST_DIR = DATA_DIR / "privacy"

#: Every key a language file must have (see data/privacy/de.yml for what each means).
KEYS: tuple[str, ...] = (
    "birth_prefixes",
    "birth_not",
    "case_keywords",
    "case_fillers",
    "phone_keywords",
    "street_suffixes",
    "street_words_after",
    "street_words_before",
    "street_prepositions",
    "not_streets",
    "not_street_names",
    "house_number_words",
    "not_house_number_units",
    "months",
    "name_markers",
    "name_not",
    "name_particles",
)


class WordListError(ValueError):
    """A language file is missing, incomplete or malformed."""


@dataclass(frozen=True)
class WordLists:
    """The union of every language's lists (field names as the file keys)."""

    birth_prefixes: frozenset[str]
    birth_not: frozenset[str]
    case_keywords: frozenset[str]
    case_fillers: frozenset[str]
    phone_keywords: frozenset[str]
    street_suffixes: frozenset[str]
    street_words_after: frozenset[str]
    street_words_before: frozenset[str]
    street_prepositions: frozenset[str]
    not_streets: frozenset[str]
    not_street_names: frozenset[str]
    house_number_words: frozenset[str]
    not_house_number_units: frozenset[str]
    months: frozenset[str]
    name_markers: frozenset[str]
    name_not: frozenset[str]
    name_particles: frozenset[str]


def language_path(code: str, directory: Path = WORDLIST_DIR) -> Path:
    """Where the word lists of language ``code`` live."""
    return directory / f"{code}.yml"


def load_language(code: str, directory: Path = WORDLIST_DIR) -> dict[str, list[str]]:
    """The lists of one language, checked: every key, lists of lowercase strings."""
    path = language_path(code, directory)
    if not path.exists():
        raise WordListError(f"{path} is missing: every supported language needs one")
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle) or {}
    if data.get("language") != code:
        raise WordListError(f"{path}: `language` must be {code!r}")
    missing = [k for k in KEYS if k not in data]
    unknown = sorted(set(data) - set(KEYS) - {"language"})
    if missing or unknown:
        raise WordListError(f"{path}: missing keys {missing}, unknown keys {unknown}")
    lists: dict[str, list[str]] = {}
    for key in KEYS:
        words = data[key]
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise WordListError(f"{path}: {key} must be a list of strings")
        # Entries are compared with lowercased tokens, so an uppercase entry never matches.
        bad = [w for w in words if not w or w != w.strip().lower()]
        if bad:
            raise WordListError(f"{path}: {key} has entries that are not lowercase: {bad}")
        lists[key] = words
    return lists


@cache
def word_lists(languages: tuple[str, ...] = SUPPORTED) -> WordLists:
    """The union of the lists of ``languages`` (all supported ones), loaded once."""
    union: dict[str, set[str]] = {key: set() for key in KEYS}
    for code in languages:
        for key, words in load_language(code).items():
            union[key].update(words)
    # A street suffix also stands alone after the name ("Berliner Platz 10"), so the two
    # lists cannot drift apart again.
    union["street_words_after"] |= {s.rstrip(".") for s in union["street_suffixes"]}
    # After a street preposition a month is a time, not a street ("im Mai 2 Termine").
    union["not_street_names"] |= union["months"]
    return WordLists(**{key: frozenset(words) for key, words in union.items()})
