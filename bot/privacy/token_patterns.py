"""Token-level finders on spaCy's tokenizer + Matcher (blank ``xx`` pipeline, no model).

Street addresses, case/file numbers and the words that make a date a birth date are
sequences of words, so they are matched on tokens: "Berliner Platz 10", "ул. Ленина, д. 5",
"12 rue de la Paix", "Aktenzeichen: 5 K 1234/21", "geboren am".
"""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, filter_spans

from bot.privacy.wordlists import word_lists

#: A house number: 1-3 digits, an optional (Latin or Cyrillic) letter, an optional range
#: ("12", "5a", "7а", "10-12"), and a Turkish case ending ("21'de").
HOUSE_NUMBER = r"^\d{1,3}[a-zA-Zа-яА-Я]?(?:[-/]\d{1,3}[a-zA-Zа-яА-Я]?)?(?:['’]\w{1,4})?$"


def _street_token() -> str:
    """A one-token street name: a word ending in a street suffix ("Hauptstr.")."""
    suffixes = sorted(word_lists().street_suffixes, key=lambda s: (-len(s), s))
    return rf"^\w[\w'-]*(?:{'|'.join(re.escape(s) for s in suffixes)})\.?$"


@cache
def nlp() -> Language:
    """A blank multilingual pipeline whose tokenizer also splits "Str.5" and "No:5"."""
    pipeline = spacy.blank("xx")
    infixes = [*pipeline.Defaults.infixes, r"(?<=[^\W\d_])[.:](?=\d)", r"(?<=\d)[,;](?=\D)"]
    pipeline.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return pipeline


def _phrase(words: str) -> list[dict]:
    """Token patterns for a lowercase phrase, tokenized like the messages are."""
    return [{"LOWER": token.text} for token in nlp().make_doc(words)]


@cache
def matcher() -> Matcher:
    """The Matcher with every street, case-keyword and birth-word pattern."""
    words = word_lists()
    m = Matcher(nlp().vocab)
    dot = {"ORTH": {"IN": [".", ","]}, "OP": "?"}
    number_word = {"LOWER": {"IN": sorted(words.house_number_words)}, "OP": "?"}
    colon = {"ORTH": {"IN": [".", ":", ","]}, "OP": "?"}
    house = {"TEXT": {"REGEX": HOUSE_NUMBER}}
    name = {"IS_PUNCT": False, "LIKE_NUM": False, "IS_SPACE": False}
    title = {"IS_TITLE": True, "LIKE_NUM": False}
    after = {"LOWER": {"IN": sorted(words.street_words_after)}}
    before = {"LOWER": {"IN": sorted(words.street_words_before)}}
    hyphen = {"ORTH": "-", "OP": "?"}
    # "Hauptstraße 12a", "Karl-Marx-Str. 5", "Hauptstr. Nr. 3", "Хауптштрассе 12"
    m.add(
        "ADDRESS",
        [
            [{**title, "OP": "?"}, hyphen, {**title, "OP": "?"}, hyphen,
             {"LOWER": {"REGEX": _street_token()}}, dot, number_word, colon, house],
            # "Berliner Platz 10", "Atatürk Caddesi No: 12", "Baker Street 5"
            [{**title, "OP": "?"}, hyphen, name, hyphen, after, dot, number_word, colon, house],
            # "ул. Ленина, д. 5", "شارع الملك فهد رقم 12", "خیابان آزادی پلاک ۱۲",
            # "rue Victor Hugo 12"
            [before, dot, name, {**name, "OP": "?"}, {**name, "OP": "?"}, dot, number_word,
             colon, house],
            # "12 rue de la Paix", "5, avenue Victor Hugo", "221B Baker Street"
            [house, dot, before, name, {**name, "OP": "?"}, {**name, "OP": "?"}],
            [house, title, {**title, "OP": "?"}, after],
            # "Am Hauptbahnhof 5", "An der Alten Kirche 3"
            [{"LOWER": {"IN": sorted(words.street_prepositions)}},
             {"LOWER": {"IN": ["der", "dem", "den"]}, "OP": "?"}, {**title, "OP": "?"}, title,
             dot, house],
        ],
        greedy="LONGEST",
    )  # fmt: skip
    m.add("CASE_KEYWORD", [_phrase(k) for k in sorted(words.case_keywords)], greedy="LONGEST")
    m.add("BIRTH", [[{"LOWER": {"REGEX": _birth_regex()}}]])
    return m


def _birth_regex() -> str:
    words = word_lists()
    prefixes = "|".join(re.escape(p) for p in sorted(words.birth_prefixes))
    excluded = "|".join(re.escape(p) for p in sorted(words.birth_not))
    return rf"^(?!(?:{excluded}))(?:{prefixes})"


def doc(text: str) -> Doc:
    """Tokenize ``text`` (already digit-folded)."""
    return nlp().make_doc(text)


def addresses(document: Doc) -> list[tuple[int, int]]:
    """Character spans of street + house number."""
    spans = []
    for match_id, start, end in matcher()(document):
        if nlp().vocab.strings[match_id] != "ADDRESS":
            continue
        span = document[start:end]
        if _plausible_address(span):
            spans.append(span)
    return [(s.start_char, s.end_char) for s in filter_spans(spans)]


def _plausible_address(span: Span) -> bool:
    lists = word_lists()
    words = [t.lower_ for t in span if not t.is_punct]
    if any(w in lists.not_streets for w in words):
        return False
    if words and words[0] in lists.street_prepositions:
        if any(w in lists.not_street_names for w in words[1:]):
            return False
    after = span.doc[span.end] if span.end < len(span.doc) else None
    if after is not None and after.lower_ in lists.not_house_number_units:
        return False
    return True


def case_keyword_ends(document: Doc) -> list[int]:
    """Token indices right after each case/file-number keyword."""
    return sorted(
        end
        for match_id, _start, end in matcher()(document)
        if nlp().vocab.strings[match_id] == "CASE_KEYWORD"
    )


def birth_tokens(document: Doc) -> list[int]:
    """Indices of tokens that are birth words ("geboren", "born", "تولد")."""
    return [
        start
        for match_id, start, _end in matcher()(document)
        if nlp().vocab.strings[match_id] == "BIRTH"
    ]
