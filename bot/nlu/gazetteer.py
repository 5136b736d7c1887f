"""Find city names, postcodes, office types, their tasks and language names in a message.

Built on spaCy's tokenizer and Matcher over a blank multilingual pipeline (no model
weights). Users write names inflected or with clitics attached ("Essen'de",
"в Эссене", "بدورتموند", "Ессені"), so each token gets a *key* before matching: the
folded text (see :mod:`bot.nlu.text`), reduced to a known gazetteer form where one is
reachable by the rules of the message's script:

- every script: a short inflectional ending cut off, a doubled letter dropped or added,
  one typo in a long word (one letter added, dropped, replaced or two swapped), or in a
  word of five letters or more inside a name of several words next to a word of that
  name typed right ("Agentur für Arbiet", "integration piont");
- Cyrillic: Russian and Ukrainian case endings are stemmed on both sides, so
  "в интеграционном центре" meets the form "интеграционный центр", and the Ukrainian
  locative alternations (Дуйсбурзі -> Дуйсбург) are undone;
- Arabic script: proclitics و/ب/ل/ف/ال are stripped, a name written in two words or
  with a hyphen ("بیله فلد", "بيله-فيلد") is joined, and a form written in two words
  also matches the same words written together ("جوبسنتر");
- Latin: Turkish case suffixes after an apostrophe or attached ("Jobcenter'dan",
  "Bochumdaki", "dairesinden").

The Matcher then matches sequences of keys, so multi-word names ("Mülheim an der
Ruhr", "Agentur für Arbeit") work the same way. Postcodes may be typed in Arabic-Indic
or Persian digits; their value is always in ASCII digits.

Abbreviations that are also ordinary words once folded ("KI" = AI in German, "kim" =
"who" in Turkish) are matched apart, case-sensitively on the word as typed, and some of
them only when the message also names a place ("KI in Dortmund", not "bist du eine KI").

The surface forms live in data/gazetteer/*.yml; staff and translators edit those.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import spacy
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from bot.nlu.text import fold, script_of

ARABIC_PROCLITICS = ("وبال", "وال", "بال", "فال", "عال", "لل", "ال", "و", "ب", "ل", "ف", "ک")
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
#: French elision at the start of a word: l', d', qu', j', n', s', c', m', t'.
_ELISION = re.compile(r"^(?:l|d|qu|j|n|s|c|m|t)'(?=\w\w)")
_DOUBLED = re.compile(r"(.)\1+")
#: One typo is allowed when word and known form both have at least MIN_TYPO - 1 letters
#: and one of them MIN_TYPO ("Mulheim" ~ "Muhlheim"); shorter words are too close to
#: ordinary words ("Hagen" ~ "Hafen", "Münster" ~ "monster").
MIN_TYPO = 8
#: Shortest word that may carry a typo of a city name when the message names an office.
MIN_CONTEXT_TYPO = 4
#: Shortest word that may carry a typo inside a name of several words whose neighbouring
#: word is typed right ("Agentur für Arbiet", "integration piont"): the neighbour is the
#: evidence a long word gives on its own.
MIN_PHRASE_TYPO = 5
#: Case and number endings of Russian and Ukrainian nouns and adjectives, folded like
#: the words they are cut from (й -> и, ї -> і, ё -> е). Gazetteer forms and message
#: words are both cut to their stem, so any case of a form matches:
#: "ведомства по делам иностранцев" ~ "ведомство по делам иностранцев".
CYRILLIC_ENDINGS = tuple(
    sorted(
        {
            fold(ending)
            for ending in (
                # adjectives (ru, uk)
                "ый ий ой ая яя ое ее ые ие ого его ому ему ым им ом ем ую юю ых их ыми ими "
                "ій ої ою ім іх іми "
                # nouns (ru, uk)
                "а я о е у ю ы и і ї ь й ам ям ах ях ами ями ов ев ей ью ию ия ие ии ів їв ові "
                "еві ею єю ом ем"
            ).split()
        },
        key=len,
        reverse=True,
    )
)
#: Shortest Cyrillic stem left after cutting an ending ("дел" of "делам").
MIN_CYRILLIC_STEM = 3
#: Ukrainian locative before -і changes г/к/х to з/ц/с: "у Дуйсбурзі", "в Гамбурзі".
UKRAINIAN_ALTERNATIONS = {"зі": "г", "ці": "к", "сі": "х"}
#: Prepositions that vary in Russian and Ukrainian without changing the name:
#: "відомство у/в справах іноземців", "агентство з/із праці".
PREPOSITIONS = {"у": "в", "во": "в", "із": "з", "зі": "з", "зо": "з", "со": "с"}
#: Turkish case suffix chains after a name (folded: ı=i, ü=u): "Jobcenter'dan",
#: "Bochumdaki", "dairesinden", "kurumuna", "merkezindeki", "Herneye".
TURKISH_SUFFIX = re.compile(
    r"(?:y|n|s)?(?:[iuae])?n?"
    r"(?:da|de|ta|te|dan|den|tan|ten|a|e|i|u|in|un|nin|nun|ya|ye|yi|yu|la|le|yla|yle)?"
    r"(?:ki)?"
    # "-yim/-yiz" (I am / we are) after a place: "Gelsenkirchendeyim", "Essendeyiz".
    r"(?:yim|yum|yiz|yuz)?"
)
#: Entity of the words of office descriptions (office_descriptions.yml); never returned.
CONCEPT = "office_concept"
#: Keyboard variants the gazetteer also unifies (beyond bot.nlu.text.fold, which the
#: trained featurizers use and which therefore stays as it was): hamza seats and the
#: Kurdish/Persian heh forms.
_KEY_MAP = str.maketrans({"ئ": "ی", "ي": "ی", "ؤ": "و", "ۀ": "ه", "ە": "ه", "ھ": "ه"})


@dataclass(frozen=True)
class Match:
    """One entity found in a text: character offsets refer to the original text."""

    entity: str
    value: str
    start: int
    end: int
    text: str
    #: Languages whose lists name it this way ("immigration office": en; "Jobcenter": all).
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Gazetteer:
    """Surface forms per entity type: ``{entity: {form: canonical value}}``."""

    forms: dict[str, dict[str, str]]
    served_cities: frozenset[str]
    #: Office abbreviations as typed -> (office type, only with a city or postcode).
    abbreviations: dict[str, tuple[str, bool]] = field(default_factory=dict)
    #: ``{entity: {form: languages whose list has it}}`` for cities and office types.
    form_languages: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    #: Keys of words whose ending is no inflection of a known form (languages.yml).
    not_inflected: frozenset[str] = frozenset()
    #: City codes of German number plates as typed ("GE", "DO") -> city (cities.yml).
    city_abbreviations: dict[str, str] = field(default_factory=dict)
    #: Words of the concepts of office descriptions -> concept (office_descriptions.yml).
    #: Kept out of ``forms``: they are matched apart from names (see :meth:`_concepts`).
    concepts: dict[str, str] = field(default_factory=dict)
    #: Office type -> the combinations of concepts that describe it.
    descriptions: dict[str, list[frozenset[str]]] = field(default_factory=dict)

    @classmethod
    def from_directory(cls, directory: Path) -> Gazetteer:
        """Load cities.yml, office_types.yml and languages.yml from ``directory``.

        An office type's ``tasks`` (what it does: "Bürgergeld", "residence permit") are
        found as ``office_task`` entities whose value is the office type; only
        :mod:`bot.nlu.office_request` reads them, and only with a place.
        """
        city_file = _read(directory / "cities.yml")
        cities = city_file["cities"]
        office_file = _read(directory / "office_types.yml")
        offices = office_file["office_types"]
        language_file = _read(directory / "languages.yml")
        languages = language_file["languages"]
        description_path = directory / "office_descriptions.yml"
        description_file = _read(description_path) if description_path.exists() else {}
        forms: dict[str, dict[str, str]] = {
            "city": {},
            "office_type": {},
            "office_task": {},
            "language": {},
        }
        for city in cities:
            _add(forms["city"], city["value"], _all_forms(city["forms"]) + [city["value"]])
        for value, entry in offices.items():
            _add(forms["office_type"], value, _all_forms(entry["forms"]))
            _add(forms["office_task"], value, _all_forms(entry.get("tasks") or {}))
        for code, entry in languages.items():
            _add(forms["language"], code, list(entry["forms"]) + [entry["own_name"]])
        concepts: dict[str, str] = {}
        for concept, per_language in (description_file.get("concepts") or {}).items():
            _add(concepts, concept, _all_forms(per_language))
        served = frozenset(c["value"] for c in cities if c.get("served"))
        abbreviations = {
            str(short): (entry["value"], bool(entry.get("with_place")))
            for short, entry in (office_file.get("abbreviations") or {}).items()
        }
        form_languages = {
            "city": _languages_of(c["forms"] for c in cities),
            "office_type": _languages_of(entry["forms"] for entry in offices.values()),
        }
        return cls(
            forms=forms,
            served_cities=served,
            abbreviations=abbreviations,
            form_languages=form_languages,
            not_inflected=frozenset(
                _key_fold(str(w)) for w in language_file.get("not_inflected") or []
            ),
            city_abbreviations={
                str(short): str(value)
                for short, value in (city_file.get("abbreviations") or {}).items()
            },
            concepts=concepts,
            descriptions={
                office: [frozenset(combination) for combination in combinations]
                for office, combinations in (description_file.get("descriptions") or {}).items()
            },
        )

    @cached_property
    def _key_languages(self) -> dict[tuple[str, str, tuple[str, ...]], frozenset[str]]:
        """(entity, value, key sequence) -> the languages of the forms with those keys."""
        table: dict[tuple[str, str, tuple[str, ...]], set[str]] = defaultdict(set)
        for entity, languages_by_form in self.form_languages.items():
            for form, languages in languages_by_form.items():
                value = self.forms[entity].get(form)
                if value is None:
                    continue
                for keys in self._form_variants(form):
                    table[(entity, value, tuple(keys))].update(languages)
        return {key: frozenset(langs) for key, langs in table.items()}

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
        # A task written like a name ("Anerkennungsberatung") is the name: tasks come
        # last and skip the key sequences the names already took.
        names: set[tuple[str, ...]] = set()
        tasks_last = sorted(self.forms.items(), key=lambda item: item[0] == "office_task")
        for entity, table in tasks_last:
            for form, value in table.items():
                for keys in self._form_variants(form):
                    if entity != "office_task":
                        names.add(tuple(keys))
                    elif tuple(keys) in names:
                        continue
                    # Punctuation between words is optional: "по-русски", "Mülheim/Ruhr".
                    pattern: list[dict] = []
                    for key in keys:
                        if pattern:
                            pattern.append({"IS_PUNCT": True, "OP": "?"})
                        pattern.append({"NORM": key})
                    matcher.add(f"{entity}\t{value}", [pattern])
        return matcher

    def _form_variants(self, form: str) -> list[list[str]]:
        """The key sequences of a form: as written and, in Arabic script, written together.

        Arabic and Persian writers join or split compound names freely ("جوب سنتر" /
        "جوبسنتر", "خارجی ها" / "خارجیها"), so adjacent Arabic-script words of a form
        may also come as one word.
        """
        keys = self._form_keys(form)
        if not keys:
            return []
        variants = [keys]
        if len(keys) >= 2 and all(script_of(k[:1]) == "arabic" for k in keys[-2:]):
            joined = keys[:-2] + [keys[-2] + keys[-1]]
            variants.append(joined)
        if len(keys) >= 2 and all(script_of(k[:1]) == "arabic" for k in keys[:2]):
            variants.append([keys[0] + keys[1]] + keys[2:])
        return [v for i, v in enumerate(variants) if v not in variants[:i]]

    @cached_property
    def _typo_index(self) -> dict[str, set[str]]:
        """Known words of MIN_TYPO - 1 letters or more, by themselves and every deletion."""
        index: dict[str, set[str]] = defaultdict(set)
        for key in self._single_keys:
            if len(key) >= MIN_TYPO - 1:
                index[key].add(key)
                for i in range(len(key)):
                    index[key[:i] + key[i + 1 :]].add(key)
        return index

    @cached_property
    def _city_skeletons(self) -> dict[str, str]:
        """Arabic-script city keys by their consonant skeleton (see :func:`_skeleton`)."""
        table: dict[str, set[str]] = defaultdict(set)
        for form, _value in self.forms["city"].items():
            for key in self._form_keys(form):
                if script_of(key[:1]) == "arabic":
                    skeleton = _skeleton(key)
                    if len(skeleton) >= MIN_SKELETON:
                        table[skeleton].add(key)
        # A skeleton shared by two different names decides nothing.
        return {sk: next(iter(keys)) for sk, keys in table.items() if len(keys) == 1}

    @cached_property
    def _collapsed_keys(self) -> dict[str, str]:
        """Known words by their spelling with doubled letters collapsed."""
        table: dict[str, str] = {}
        for key in sorted(self._single_keys):
            collapsed = _collapse(key)
            if len(collapsed) >= MIN_COLLAPSED:
                table.setdefault(collapsed, key)
        return table

    @cached_property
    def _keys_by_form(self) -> dict[str, list[str]]:
        """Memo of :meth:`_form_keys`: each index built at load reads every form's keys."""
        return {}

    def _form_keys(self, form: str) -> list[str]:
        """The keys of a form's words (a shared list: callers must not change it)."""
        keys = self._keys_by_form.get(form)
        if keys is None:
            keys = self._keys_by_form[form] = self._compute_form_keys(form)
        return keys

    def _compute_form_keys(self, form: str) -> list[str]:
        keys = []
        for token in self._nlp.make_doc(form):
            if token.is_punct or token.is_space:
                continue
            key = _key_fold(token.text)
            # "الجوب" in a form and "جوب" in a message are the same word.
            if key.startswith("ال") and len(key) > 4:
                key = key[2:]
            if script_of(key[:1]) == "cyrillic":
                key = PREPOSITIONS.get(key, _cyrillic_stem(key))
            keys.append(key)
        return keys

    def _reduce(self, word: str) -> str:
        """Map one folded word to a known form where an affix explains the difference."""
        if word in PREPOSITIONS:
            return PREPOSITIONS[word]
        script = script_of(word[:1])
        candidates = _affix_candidates(word)
        reduced = self._inflected_form(word, candidates, self._single_keys)
        if reduced is not None:
            return reduced
        # A doubled letter dropped or added is the commonest misspelling of these names.
        collapsed_keys = self._collapsed_keys
        for cand in candidates:
            for cut in range(MAX_SUFFIX + 1):
                collapsed = _collapse(cand[: len(cand) - cut])
                if len(collapsed) >= MIN_COLLAPSED and collapsed in collapsed_keys:
                    return collapsed_keys[collapsed]
        for cand in candidates:
            typo = self._typo(cand)
            if typo:
                return typo
        if script == "arabic":
            # Long vowels and the letters for g/v/p vary most in Arabic-script names.
            for cand in candidates:
                skeleton = _skeleton(cand)
                if len(skeleton) >= MIN_SKELETON and skeleton in self._city_skeletons:
                    return self._city_skeletons[skeleton]
        return word

    def _inflected_form(
        self, word: str, candidates: list[str], known: frozenset[str]
    ) -> str | None:
        """The form in ``known`` that ``word`` inflects (an affix, an ending), if any."""
        for cand in candidates:
            if cand in known:
                return cand
        if self.not_inflected.intersection(candidates):
            return word
        for cand in candidates:
            for cut in range(1, MAX_SUFFIX + 1):
                stem = cand[:-cut]
                if len(stem) >= MIN_STEM.get(script_of(stem[:1]), MIN_STEM_OTHER) and stem in known:
                    return stem
        if script_of(word[:1]) == "latin":
            # Turkish suffix chains are longer than MAX_SUFFIX: "dairesinden", "Bochumdaki".
            for cand in candidates:
                for cut in range(MAX_SUFFIX + 1, min(len(cand) - MIN_STEM["latin"], 7) + 1):
                    stem, suffix = cand[:-cut], cand[-cut:]
                    if stem in known and TURKISH_SUFFIX.fullmatch(suffix):
                        return stem
        return None

    @cached_property
    def _concept_forms(self) -> dict[tuple[str, ...], str]:
        """Key sequences of the concepts' words (office_descriptions.yml) -> concept."""
        table: dict[tuple[str, ...], str] = {}
        for form, concept in self.concepts.items():
            for keys in self._form_variants(form):
                table.setdefault(tuple(keys), concept)
        return table

    @cached_property
    def _concept_words(self) -> frozenset[str]:
        return frozenset(key for keys in self._concept_forms for key in keys)

    @cached_property
    def _longest_concept(self) -> int:
        """Words in the longest concept phrase (how far :meth:`_concepts` looks ahead)."""
        return max((len(keys) for keys in self._concept_forms), default=0)

    def _concepts(self, doc: Doc) -> list[Match]:
        """The concepts a message's words express, longest phrase first.

        Matched apart from names, against the concepts' own words, so that adding a
        concept word never changes how a name is recognised.
        """
        table = self._concept_forms
        if not table:
            return []
        words = [t for t in doc if not (t.is_punct or t.is_space)]
        keys = []
        for token in words:
            word = _key_fold(token.text)
            form = self._inflected_form(word, _affix_candidates(word), self._concept_words)
            keys.append(form or word)
        longest = self._longest_concept
        found = []
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                concept = table.get(tuple(keys[i : i + n]))
                if concept:
                    start, last = words[i].idx, words[i + n - 1]
                    end = last.idx + len(last.text)
                    found.append(Match(CONCEPT, concept, start, end, doc.text[start:end]))
                    i += n
                    break
            else:
                i += 1
        return found

    def _typo(self, word: str) -> str | None:
        """The one known long word within one typo of ``word``, if exactly one is."""
        if len(word) < MIN_TYPO - 1:
            return None
        index = self._typo_index
        found = set(index.get(word, ()))
        for i in range(len(word)):
            found |= index.get(word[:i] + word[i + 1 :], set())
        found = {
            key for key in found if max(len(key), len(word)) >= MIN_TYPO and _one_typo(word, key)
        }
        # Two spellings of one name ("mulheim", "muelheim") are one answer, and so are
        # words that share a meaning ("arbeitzamt": "arbeitsamt" also names a task).
        meanings = [self._key_meanings.get(key, frozenset()) for key in found]
        return min(found) if meanings and frozenset.intersection(*meanings) else None

    @cached_property
    def _phrase_pairs(self) -> frozenset[tuple[str, str]]:
        """Adjacent key pairs of the names of several words ("fur", "arbeit")."""
        pairs: set[tuple[str, str]] = set()
        for table in self.forms.values():
            for form in table:
                for keys in self._form_variants(form):
                    pairs.update(zip(keys, keys[1:]))
        return frozenset(pairs)

    @cached_property
    def _phrase_words(self) -> dict[str, set[str]]:
        """Words of MIN_PHRASE_TYPO letters or more in those names, by every deletion."""
        index: dict[str, set[str]] = defaultdict(set)
        for pair in self._phrase_pairs:
            for key in pair:
                if len(key) >= MIN_PHRASE_TYPO:
                    index[key].add(key)
                    for i in range(len(key)):
                        index[key[:i] + key[i + 1 :]].add(key)
        return index

    def _fix_phrase_typos(self, doc: Doc) -> None:
        """Correct a one-typo word that sits next to its neighbour in a name of several words.

        "Agentur für Arbiet": "arbiet" is too short for a typo on its own, but "für"
        before it and the name "Agentur für Arbeit" make "arbeit" the one reading.
        """
        known = self._single_keys
        pairs = self._phrase_pairs
        words = [t for t in doc if not (t.is_punct or t.is_space)]
        for i, token in enumerate(words):
            word = token.norm_
            if word in known or len(word) < MIN_PHRASE_TYPO:
                continue
            found = set(self._phrase_words.get(word, ()))
            for j in range(len(word)):
                found |= self._phrase_words.get(word[:j] + word[j + 1 :], set())
            before = words[i - 1].norm_ if i else None
            after = words[i + 1].norm_ if i + 1 < len(words) else None
            fits = {
                key
                for key in found
                if _one_typo(word, key) and ((before, key) in pairs or (key, after) in pairs)
            }
            if len(fits) == 1:
                token.norm_ = fits.pop()

    @cached_property
    def _key_meanings(self) -> dict[str, frozenset[str]]:
        """The entity values each known word occurs in."""
        meanings: dict[str, set[str]] = defaultdict(set)
        for entity, table in self.forms.items():
            for form, value in table.items():
                for key in self._form_keys(form):
                    meanings[key].add(f"{entity}\t{value}")
        return {key: frozenset(values) for key, values in meanings.items()}

    def _join_split_names(self, doc: Doc) -> None:
        """Merge two Arabic-script words (maybe hyphenated) that together are one name.

        "بیله فلد" and "بيله-فيلد" are Bielefeld written in two parts; words already
        known on their own are left alone (forms in two words match as they are).
        """
        spans = []
        i = 0
        tokens = list(doc)
        while i < len(tokens) - 1:
            first = tokens[i]
            j = i + 1
            if tokens[j].text in ("-", "‐", "_") and j + 1 < len(tokens):
                j += 1
            second = tokens[j]
            both_arabic = script_of(first.text[:1]) == script_of(second.text[:1]) == "arabic"
            # Only two words that mean nothing to the gazetteer alone: "في دويسبورغ"
            # and "بوخوم صبح" stay two words.
            neither_known = not ({first.norm_, second.norm_} & self._single_keys)
            if both_arabic and neither_known:
                joined = self._reduce(_key_fold(first.text + second.text))
                if joined in self._single_keys and len(joined) >= MIN_JOINED:
                    spans.append((doc[i : j + 1], joined))
                    i = j + 1
                    continue
            i += 1
        if spans:
            with doc.retokenize() as retokenizer:
                for span, _ in spans:
                    retokenizer.merge(span)
            for span, joined in spans:
                doc[span.start].norm_ = joined

    def warm_up(self) -> None:
        """Build the matcher and the lookup tables now (~3 s on a slow 2-core machine).

        They are built on first use otherwise, and the first person to write after a
        server start would wait for them.
        """
        self.find("Wo ist das Jobcenter in Essen? Arbeitslose melden sich an")
        for table in (
            "_typo_index",
            "_collapsed_keys",
            "_key_meanings",
            "_city_skeletons",
            "_served_city_keys",
        ):
            getattr(self, table)

    def find(self, text: str) -> list[Match]:
        """Return non-overlapping matches in ``text``, longest first wins."""
        doc: Doc = self._nlp.make_doc(text)
        for token in doc:
            token.norm_ = self._reduce(_key_fold(token.text))
        self._join_split_names(doc)
        self._fix_phrase_typos(doc)
        spans = []
        for match_id, start, end in self._matcher(doc):
            span = doc[start:end]
            span.label_ = self._nlp.vocab.strings[match_id]
            spans.append(span)
        matches = []
        for span in filter_spans(spans):
            entity, value = span.label_.split("\t", 1)
            keys = tuple(t.norm_ for t in span if not t.is_punct)
            languages = self._key_languages.get((entity, value, keys), frozenset())
            matches.append(
                Match(entity, value, span.start_char, span.end_char, span.text, languages)
            )
        matches += self._described_office(doc.text, self._concepts(doc), matches)
        for m in POSTCODE.finditer(doc.text):
            # \d also matches Arabic-Indic and Persian digits: "٤٤١٣٥", "۴۴۱۳۵" -> "44135".
            digits = "".join(str(unicodedata.digit(c)) for c in m.group())
            matches.append(Match("postal_code", digits, m.start(), m.end(), m.group()))
        matches += self._abbreviations(doc, matches)
        place = self._city_near_office(doc, matches) or self._city_codes(doc, matches)
        if place:  # "JC in GE", "JC Esen": the office abbreviation needed the place
            matches += place
            matches += self._abbreviations(doc, matches)
        return sorted(matches, key=lambda m: m.start)

    def _described_office(
        self, text: str, concepts: list[Match], found: list[Match]
    ) -> list[Match]:
        """The office a message describes by a combination of concepts, as an ``office_task``.

        Only when nothing names an office or a task: "where do the unemployed register
        in Herne?" describes the Agentur für Arbeit (office_descriptions.yml).
        """
        if not concepts or any(m.entity in ("office_type", "office_task") for m in found):
            return []
        present = {m.value for m in concepts}
        fitting = [
            (office, combination)
            for office, combinations in self.descriptions.items()
            for combination in combinations
            if combination <= present
        ]
        # A combination that another one found holds and adds to is the less specific.
        specific = {
            office
            for office, combination in fitting
            if not any(combination < other for _, other in fitting)
        }
        if len(specific) != 1:
            return []
        start = min(m.start for m in concepts)
        end = max(m.end for m in concepts)
        return [Match("office_task", specific.pop(), start, end, text[start:end])]

    def _names_office(self, doc: Doc, found: list[Match]) -> bool:
        """Whether the message names an office: a name, a task or an abbreviation ("JC")."""
        return any(m.entity in ("office_type", "office_task") for m in found) or any(
            _before_suffix(t.text) in self.abbreviations for t in doc
        )

    @cached_property
    def _served_city_keys(self) -> dict[str, str]:
        """Single-word keys of our cities' names (first words of longer ones) -> city."""
        table: dict[str, set[str]] = defaultdict(set)
        for form, value in self.forms["city"].items():
            if value not in self.served_cities:
                continue
            keys = self._form_keys(form)
            if keys and len(keys[0]) >= MIN_CONTEXT_TYPO:
                table[keys[0]].add(value)
        return {key: next(iter(values)) for key, values in table.items() if len(values) == 1}

    def _city_near_office(self, doc: Doc, found: list[Match]) -> list[Match]:
        """A misspelt city name next to an office: "IQ Beratung in Esen", "джобцентр Хагна".

        Short names get no typo on their own ("Hagen" ~ "Hafen"), but in a message that
        names an office (or its task) and no place, a word one typo away from exactly
        one of our cities' names (4 letters or more, after the usual affix rules) is
        that city.
        """
        if any(m.entity in ("city", "postal_code") for m in found):
            return []
        if not self._names_office(doc, found):
            return []
        taken = [(m.start, m.end) for m in found]
        keys = self._served_city_keys
        for token in doc:
            start, end = token.idx, token.idx + len(token.text)
            if token.is_punct or _overlaps(start, end, taken):
                continue
            word = _key_fold(token.text)
            candidates = {*_affix_candidates(word), token.norm_, _collapse(word)}
            cities = {
                city
                for cand in candidates
                if len(cand) >= MIN_CONTEXT_TYPO
                for key, city in keys.items()
                if _one_typo(cand, key)
            }
            if len(cities) == 1:
                return [Match("city", cities.pop(), start, end, token.text)]
        return []

    def _city_codes(self, doc: Doc, found: list[Match]) -> list[Match]:
        """A number-plate city code typed in capitals ("JC in GE"), with an office named.

        Only when nothing else names a place and the message names an office: "DO",
        "BO", "GE" are ordinary words otherwise. Not in a message typed in capitals
        ("WHERE DO I FIND THE JOBCENTER"), where every word looks like a code.
        """
        if not self.city_abbreviations or any(m.entity in ("city", "postal_code") for m in found):
            return []
        if not self._names_office(doc, found):
            return []
        letters = [c for c in doc.text if c.isalpha()]
        if sum(c.isupper() for c in letters) > len(letters) / 2:
            return []
        taken = [(m.start, m.end) for m in found]
        for token in doc:
            word = _before_suffix(token.text)
            city = self.city_abbreviations.get(word)
            start, end = token.idx, token.idx + len(word)
            if city and not _overlaps(start, end, taken):
                return [Match("city", city, start, end, word)]
        return []

    def _abbreviations(self, doc: Doc, found: list[Match]) -> list[Match]:
        """Office abbreviations typed in capitals ("KIM", "KI'ya"), where nothing else matched."""
        if not self.abbreviations or any(m.entity == "office_type" for m in found):
            return []
        has_place = any(m.entity in ("city", "postal_code") for m in found)
        taken = [(m.start, m.end) for m in found]
        out = []
        for token in doc:
            # A Turkish suffix after an apostrophe or a hyphen: "KI'ya", "KIM-e".
            word = _before_suffix(token.text)
            entry = self.abbreviations.get(word)
            if entry is None or (entry[1] and not has_place):
                continue
            start, end = token.idx, token.idx + len(word)
            if _overlaps(start, end, taken):
                continue
            out.append(Match("office_type", entry[0], start, end, word))
            break  # one office per message is what the dialogue uses
        return out


def _key_fold(text: str) -> str:
    """:func:`bot.nlu.text.fold` plus the gazetteer's extra letter unifications.

    A French elided article or preposition is dropped ("l'Integration" -> "integration",
    "d'intégration" -> "integration"), in forms and messages alike, so that "de
    l'Integration Point" meets the form "Integration Point".
    """
    return _ELISION.sub("", fold(text).translate(_KEY_MAP))


def _cyrillic_stem(word: str) -> str:
    """Cut one Russian/Ukrainian case ending, keeping at least MIN_CYRILLIC_STEM letters."""
    for ending in CYRILLIC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_CYRILLIC_STEM:
            return word[: -len(ending)]
    return word


#: Arabic-script letters that stand for the same sound in German names, and long vowels
#: that writers add or leave out: "غيلسنكيرشن" ~ "گلزنکیرشن" ~ "جلسنكيرشن".
_SKELETON_MAP = str.maketrans(
    {
        "غ": "گ",
        "ج": "گ",
        "ق": "گ",
        "پ": "ب",
        "ڤ": "ف",
        "ط": "ت",
        "ص": "س",
        "ث": "س",
        "ذ": "ز",
        "ظ": "ز",
    }
)
_LONG_VOWELS = re.compile("[اویء]")
#: Shortest skeleton compared: shorter ones (بخم, هگن) are ordinary words too.
MIN_SKELETON = 5
#: Shortest joined name: two short words must not merge into a short key by chance.
MIN_JOINED = 5


def _affix_candidates(word: str) -> list[str]:
    """``word`` and what it may be without an affix its script allows (folded words)."""
    script = script_of(word[:1])
    candidates = [word]
    if "'" in word:  # Turkish "Essen'de", French "l'Ausländerbehörde"
        head, tail = word.split("'", 1)
        candidates += [head, tail]
    if script == "arabic":
        candidates += [word[len(p) :] for p in ARABIC_PROCLITICS if word.startswith(p)]
    if script == "cyrillic":
        candidates.append(_cyrillic_stem(word))
        # City adjectives: "вуппертальському" -> "вупперталь", "эссенский" -> "эссен".
        candidates.append(_cyrillic_noun(_cyrillic_stem(word)))
        for ending, consonant in UKRAINIAN_ALTERNATIONS.items():
            if word.endswith(ending) and len(word) > len(ending) + MIN_CYRILLIC_STEM:
                candidates.append(_cyrillic_stem(word[: -len(ending)] + consonant))
    return candidates


def _before_suffix(text: str) -> str:
    """A word as typed without a suffix after an apostrophe or hyphen: "KI'ya" -> "KI"."""
    return re.split(r"['’\-]", text, maxsplit=1)[0]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in spans)


def _cyrillic_noun(stem: str) -> str:
    """The noun a Russian/Ukrainian adjective stem is made from: "эссенск" -> "эссен"."""
    for suffix in ("ськ", "ск"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= MIN_CYRILLIC_STEM:
            return stem[: -len(suffix)]
    return stem


def _skeleton(word: str) -> str:
    """Consonants of an Arabic-script word (first letter kept), sound-alike letters unified."""
    word = word.translate(_SKELETON_MAP)
    return word[:1] + _LONG_VOWELS.sub("", word[1:])


def _one_typo(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one added, dropped or replaced letter or one swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return True  # replaced
        return a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]  # swapped
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


def _collapse(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _all_forms(per_language: dict[str, Iterable[str]]) -> list[str]:
    return [form for forms in per_language.values() for form in (forms or [])]


def _languages_of(entries: Iterable[dict[str, Iterable[str]]]) -> dict[str, frozenset[str]]:
    """Every form of ``entries`` (``{language: [forms]}`` each) -> the languages listing it."""
    table: dict[str, set[str]] = defaultdict(set)
    for per_language in entries:
        for language, forms in per_language.items():
            for form in forms or []:
                table[str(form)].add(language)
    return {form: frozenset(langs) for form, langs in table.items()}


def _add(table: dict[str, str], value: str, forms: Iterable[str]) -> None:
    for form in forms:
        table.setdefault(str(form), value)
