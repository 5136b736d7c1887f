"""Find city names, postcodes, office types and language names in a message.

Built on spaCy's tokenizer and Matcher over a blank multilingual pipeline (no model
weights). Users write names inflected or with clitics attached ("Essen'de",
"в Эссене", "بدورتموند", "Ессені"), so each token gets a *key* before matching: the
folded text (see :mod:`bot.nlu.text`), reduced to a known gazetteer form where one is
reachable by splitting a Turkish apostrophe suffix, stripping Arabic proclitics, or
cutting a short inflectional ending. The Matcher then matches sequences of keys, so
multi-word names ("Mülheim an der Ruhr", "Agentur für Arbeit") work the same way.

The surface forms live in data/gazetteer/*.yml; staff and translators edit those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable

import spacy
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from bot.nlu.text import fold, script_of

ARABIC_PROCLITICS = ("وبال", "وال", "بال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "ک")
#: Longest inflectional ending cut from a word to reach a known form ("Эссене" -> "эссен").
MAX_SUFFIX = 3
#: Shortest form that may carry an ending; shorter ones must match exactly ("an", "der").
#: Latin script needs one more letter: "bonn"+"e" is French "bonne", "hamm"+"er" German.
MIN_STEM = {"latin": 5}
MIN_STEM_OTHER = 4
POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
#: Shortest word compared with doubled letters collapsed ("Вупертале", "Botrop"): long
#: enough that "bon" never becomes "Bonn" or "ham" "Hamm".
MIN_COLLAPSED = 6
_DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class Match:
    """One entity found in a text: character offsets refer to the original text."""

    entity: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Gazetteer:
    """Surface forms per entity type: ``{entity: {form: canonical value}}``."""

    forms: dict[str, dict[str, str]]
    served_cities: frozenset[str]

    @classmethod
    def from_directory(cls, directory: Path) -> Gazetteer:
        """Load cities.yml, office_types.yml and languages.yml from ``directory``."""
        cities = _read(directory / "cities.yml")["cities"]
        offices = _read(directory / "office_types.yml")["office_types"]
        languages = _read(directory / "languages.yml")["languages"]
        forms: dict[str, dict[str, str]] = {"city": {}, "office_type": {}, "language": {}}
        for city in cities:
            _add(forms["city"], city["value"], _all_forms(city["forms"]) + [city["value"]])
        for value, entry in offices.items():
            _add(forms["office_type"], value, _all_forms(entry["forms"]))
        for code, entry in languages.items():
            _add(forms["language"], code, list(entry["forms"]) + [entry["own_name"]])
        served = frozenset(c["value"] for c in cities if c.get("served"))
        return cls(forms=forms, served_cities=served)

    @cached_property
    def _nlp(self) -> spacy.language.Language:
        return spacy.blank("xx")

    @cached_property
    def _single_keys(self) -> frozenset[str]:
        """Every word that occurs in some form (the targets of key reduction)."""
        words = set()
        for table in self.forms.values():
            for form in table:
                words.update(self._form_keys(form))
        return frozenset(words)

    @cached_property
    def _matcher(self) -> Matcher:
        matcher = Matcher(self._nlp.vocab)
        for entity, table in self.forms.items():
            for form, value in table.items():
                keys = self._form_keys(form)
                if keys:
                    # Punctuation between words is optional: "по-русски", "Mülheim/Ruhr".
                    pattern: list[dict] = []
                    for key in keys:
                        if pattern:
                            pattern.append({"IS_PUNCT": True, "OP": "?"})
                        pattern.append({"NORM": key})
                    matcher.add(f"{entity}\t{value}", [pattern])
        return matcher

    @cached_property
    def _collapsed_keys(self) -> dict[str, str]:
        """Known words by their spelling with doubled letters collapsed."""
        table: dict[str, str] = {}
        for key in sorted(self._single_keys):
            collapsed = _collapse(key)
            if len(collapsed) >= MIN_COLLAPSED:
                table.setdefault(collapsed, key)
        return table

    def _form_keys(self, form: str) -> list[str]:
        keys = []
        for token in self._nlp.make_doc(form):
            if token.is_punct or token.is_space:
                continue
            key = fold(token.text)
            # "الجوب" in a form and "جوب" in a message are the same word.
            if key.startswith("ال") and len(key) > 4:
                key = key[2:]
            keys.append(key)
        return keys

    def _reduce(self, word: str) -> str:
        """Map one folded word to a known form where an affix explains the difference."""
        known = self._single_keys
        candidates = [word]
        if "'" in word:  # Turkish "Essen'de", French "l'Ausländerbehörde"
            head, tail = word.split("'", 1)
            candidates += [head, tail]
        candidates += [word[len(p) :] for p in ARABIC_PROCLITICS if word.startswith(p)]
        for cand in candidates:
            if cand in known:
                return cand
        for cand in candidates:
            for cut in range(1, MAX_SUFFIX + 1):
                stem = cand[:-cut]
                if len(stem) >= MIN_STEM.get(script_of(stem[:1]), MIN_STEM_OTHER) and stem in known:
                    return stem
        # A doubled letter dropped or added is the commonest misspelling of these names.
        collapsed_keys = self._collapsed_keys
        for cand in candidates:
            for cut in range(MAX_SUFFIX + 1):
                collapsed = _collapse(cand[: len(cand) - cut])
                if len(collapsed) >= MIN_COLLAPSED and collapsed in collapsed_keys:
                    return collapsed_keys[collapsed]
        return word

    def find(self, text: str) -> list[Match]:
        """Return non-overlapping matches in ``text``, longest first wins."""
        doc: Doc = self._nlp.make_doc(text)
        for token in doc:
            token.norm_ = self._reduce(fold(token.text))
        spans = []
        for match_id, start, end in self._matcher(doc):
            span = doc[start:end]
            span.label_ = self._nlp.vocab.strings[match_id]
            spans.append(span)
        matches = []
        for span in filter_spans(spans):
            entity, value = span.label_.split("\t", 1)
            matches.append(Match(entity, value, span.start_char, span.end_char, span.text))
        for m in POSTCODE.finditer(doc.text):
            matches.append(Match("postal_code", m.group(), m.start(), m.end(), m.group()))
        return sorted(matches, key=lambda m: m.start)


def _collapse(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _all_forms(per_language: dict[str, Iterable[str]]) -> list[str]:
    return [form for forms in per_language.values() for form in (forms or [])]


def _add(table: dict[str, str], value: str, forms: Iterable[str]) -> None:
    for form in forms:
        table.setdefault(str(form), value)
