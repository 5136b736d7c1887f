"""Token-level finders on spaCy's tokenizer + Matcher (blank ``xx`` pipeline, no model).

Street addresses, case/file numbers, the words that make a date a birth date and the
phrases that introduce a person's name are sequences of words, so they are matched on
tokens: "Berliner Platz 10", "ул. Ленина, д. 5", "12 rue de la Paix",
"Aktenzeichen: 5 K 1234/21", "geboren am", "ich heiße Samir", "меня зовут Ольга".
"""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_infix_regex, filter_spans

from bot.privacy.wordlists import word_lists

#: A house number: 1-3 digits, an optional (Latin or Cyrillic) letter, an optional range
#: ("12", "5a", "7а", "10-12"), and a Turkish case ending ("21'de").
HOUSE_NUMBER = r"^\d{1,3}[a-zA-Zа-яА-Я]?(?:[-/]\d{1,3}[a-zA-Zа-яА-Я]?)?(?:['’]\w{1,4})?$"


def _street_token() -> str:
    """A one-token street name: a word ending in a street suffix ("Hauptstr.")."""
    suffixes = sorted(word_lists().street_suffixes, key=lambda s: (-len(s), s))
    return rf"^\w[\w'-]*(?:{'|'.join(re.escape(s) for s in suffixes)})\.?$"


#: At most this many words after a name marker are taken as the name ("Anna-Lena Müller").
MAX_NAME_WORDS = 3
#: A marker written "^..." in data/privacy/<lang>.yml counts only at the start of a
#: sentence or clause: Turkish "Adım Emre" (my name) vs "ilk adım Jobcenter" (first step).
CLAUSE_START_MARK = "^"
CLAUSE_BREAKS = frozenset({".", ",", ";", "!", "?", "؟", "،", ":", "-", "–", "—", "\n"})
#: Punctuation allowed between a marker and the name ("Name: Ali", "Nom - Awa").
NAME_LEAD = frozenset({":", "-", "–", "—"})


def fold(text: str) -> str:
    """Lowercase ``text`` for matching words of the word lists.

    Turkish "İ" lowercases to "i" plus a combining dot, and a typographic apostrophe
    stands for a straight one ("m’appelle", "ім’я").
    """
    return text.lower().replace("\u0307", "").replace("’", "'")


Token.set_extension("fold", getter=lambda token: fold(token.text), force=True)


@cache
def nlp() -> Language:
    """A blank multilingual pipeline whose tokenizer also splits "Str.5" and "No:5"."""
    pipeline = spacy.blank("xx")
    infixes = [*(pipeline.Defaults.infixes or ()), r"(?<=[^\W\d_])[.:](?=\d)", r"(?<=\d)[,;](?=\D)"]
    tokenizer: Tokenizer = pipeline.tokenizer  # spaCy types it as any callable
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return pipeline


def _phrase(words: str) -> list[dict]:
    """Token patterns for a lowercase phrase, tokenized like the messages are."""
    return [{"LOWER": token.text} for token in nlp().make_doc(words)]


@cache
def _name_markers() -> dict[tuple[str, ...], bool]:
    """Each name marker as folded tokens -> whether it must start a clause."""
    markers: dict[tuple[str, ...], bool] = {}
    for marker in word_lists().name_markers:
        phrase = marker.removeprefix(CLAUSE_START_MARK).strip()
        key = tuple(fold(t.text) for t in nlp().make_doc(phrase))
        markers[key] = markers.get(key, True) and marker.startswith(CLAUSE_START_MARK)
    return markers


@cache
def matcher() -> Matcher:
    """The Matcher with every street, case-keyword, birth-word and name-marker pattern."""
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
    m.add(
        "NAME_MARKER",
        [[{"_": {"fold": word}} for word in marker] for marker in sorted(_name_markers())],
        greedy="LONGEST",
    )
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


def names(document: Doc) -> list[tuple[int, int]]:
    """Character spans of person names after a name marker ("my name is Sam Okafor").

    The name is up to :data:`MAX_NAME_WORDS` words right after the marker. A word in
    ``name_not`` ends it or, as the first word, shows there is no name ("my name is not
    important", "ich heiße Sie willkommen"). Once the name starts with a capital, the
    following words must too ("Ich heiße Samir und ..."); names typed in lowercase and
    names in scripts without capitals (Arabic, Persian) run until a ``name_not`` word or
    punctuation. Name particles join capitalised parts ("Ahmad al-Hassan").
    """
    lists = word_lists()
    markers = _name_markers()
    spans = []
    for match_id, start, end in matcher()(document):
        if nlp().vocab.strings[match_id] != "NAME_MARKER":
            continue
        key = tuple(t._.fold for t in document[start:end])
        if markers.get(key) and start > 0 and document[start - 1].text not in CLAUSE_BREAKS:
            continue
        first = end
        while first < len(document) and document[first].text in NAME_LEAD:
            first += 1
        if first >= len(document) or not _name_word(document[first], lists.name_not):
            continue
        capitalised = _cased(document[first]) and document[first].text[0].isupper()
        last, words, index = first, 1, first + 1
        while index < len(document) and words < MAX_NAME_WORDS:
            token = document[index]
            if token.text == "-" or token._.fold in lists.name_particles:
                # "Anna-Lena", "al-Hassan", "von der Heide": only before another name part
                following = index + 1
                while following < len(document) and (
                    document[following].text == "-"
                    or document[following]._.fold in lists.name_particles
                ):
                    following += 1
                if following < len(document) and _name_part(
                    document[following], capitalised, lists.name_not
                ):
                    last, index = following, following + 1
                    words += token.text != "-"
                    continue
                break
            if not _name_part(token, capitalised, lists.name_not):
                break
            last, words, index = index, words + 1, index + 1
        spans.append((document[first].idx, document[last].idx + len(document[last].text)))
    return spans


def _cased(token: Token) -> bool:
    """Whether the token's script has capital letters (Latin, Cyrillic; not Arabic)."""
    return token.text.lower() != token.text.upper()


def _name_word(token: Token, name_not: frozenset[str]) -> bool:
    """Letters (with inner apostrophes, "O'Neil"), and not a word that is no name."""
    letters = token.text.replace("'", "").replace("’", "")
    return letters.isalpha() and token._.fold not in name_not


def _name_part(token: Token, capitalised: bool, name_not: frozenset[str]) -> bool:
    """A further word of a name that started with a capital (or had no capital)."""
    if not _name_word(token, name_not):
        return False
    return not (capitalised and _cased(token) and not token.text[0].isupper())
