"""Scoring the trained model on labelled message sets (tests and `make bench-nlu`).

The sets live under tests/: ``blind`` (written apart from training, never tuned on),
``blind_offices`` (office questions in inflected and colloquial forms, written apart
from the code and the gazetteer, never tuned on; its misses were read, so it is no longer
quite blind), ``blind_fresh`` (the same design, written later by authors who opened no file
of the project; only its totals are reported), ``dev`` (a development set: its
errors guided training-data additions), ``dev_offices`` (office questions, a development
set for the gazetteer and the office-request rule) and the guidance form's exit sets. Tests assert
floors on these scores; bench/nlu_eval.py writes them to docs/benchmarks-nlu.md. Both
parse in-process with a loaded Agent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.guidance.answers import is_stop
from bot.guidance.form import LEAVE_INTENTS, wants_to_leave
from bot.guidance.form import Message as FormMessage
from bot.paths import DATA_DIR, PROJECT_ROOT

#: Intent/entity sets per language: name -> directory of <lang>.yml files.
SETS = {
    "blind": PROJECT_ROOT / "tests" / "nlu" / "blind",
    "blind_offices": PROJECT_ROOT / "tests" / "nlu" / "blind_offices",
    "blind_fresh": PROJECT_ROOT / "tests" / "nlu" / "blind_fresh",
    "blind_final": PROJECT_ROOT / "tests" / "nlu" / "blind_final",
    "blind_holdout": PROJECT_ROOT / "tests" / "nlu" / "blind_holdout",
    "blind_closing": PROJECT_ROOT / "tests" / "nlu" / "blind_closing",
    "blind_sixth": PROJECT_ROOT / "tests" / "nlu" / "blind_sixth",
    "blind_seventh": PROJECT_ROOT / "tests" / "nlu" / "blind_seventh",
    "dev": PROJECT_ROOT / "tests" / "nlu" / "dev",
    "dev_offices": PROJECT_ROOT / "tests" / "nlu" / "dev_offices",
    "dev_final": PROJECT_ROOT / "tests" / "nlu" / "dev_final",
}
#: Leaving the guidance form: the stop words were tuned on form_exit (a development
#: set); form_exit_holdout was written later and never used for tuning.
FORM_EXIT_SETS = {
    "form_exit": PROJECT_ROOT / "tests" / "guidance" / "form_exit",
    "form_exit_holdout": PROJECT_ROOT / "tests" / "guidance" / "form_exit_holdout",
}

#: Language decision on short messages: in-domain (tests/nlu/short, chat phrases) and
#: general vocabulary (tests/nlu/vocabulary, random dictionary words and word pairs
#: from Debian's hunspell/aspell lists, tools/make_vocabulary_set.py).
SHORT_DIR = PROJECT_ROOT / "tests" / "nlu" / "short"
VOCABULARY_DIR = PROJECT_ROOT / "tests" / "nlu" / "vocabulary"


class Parser(Protocol):
    """What scoring needs of a model: ``rasa.core.agent.Agent.parse_message``."""

    async def parse_message(self, message_data: str) -> dict[str, Any]:
        """Parse one message into intent, entities and our ``language`` decision."""
        ...


@dataclass
class Score:
    """Results of one language on one set."""

    examples: int = 0
    right: int = 0
    cities: int = 0
    cities_found: int = 0
    language_right: int = 0
    language_decided: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    missed_cities: list[tuple[str, str]] = field(default_factory=list)
    #: annotated office types / postcodes, and those found with the annotated value
    offices: int = 0
    offices_found: int = 0
    missed_offices: list[tuple[str, str]] = field(default_factory=list)
    postcodes: int = 0
    postcodes_found: int = 0
    missed_postcodes: list[tuple[str, str]] = field(default_factory=list)
    #: messages and right intents per ``metadata.group`` (sets that carry groups)
    groups: Counter[str] = field(default_factory=Counter)
    groups_right: Counter[str] = field(default_factory=Counter)
    #: messages that also occur verbatim in data/nlu (short greetings collide by chance)
    in_training: int = 0
    right_unseen: int = 0

    @property
    def accuracy(self) -> float:
        """Share of messages whose intent was right."""
        return self.right / self.examples if self.examples else 0.0

    @property
    def accuracy_unseen(self) -> float:
        """Accuracy on the messages that are not verbatim in the training data."""
        unseen = self.examples - self.in_training
        return self.right_unseen / unseen if unseen else 0.0

    @property
    def city_recall(self) -> float:
        """Share of annotated cities the model found."""
        return self.cities_found / self.cities if self.cities else 0.0

    @property
    def office_recall(self) -> float:
        """Share of annotated office types found with the annotated value."""
        return self.offices_found / self.offices if self.offices else 0.0

    @property
    def postcode_recall(self) -> float:
        """Share of annotated postcodes found (as ASCII digits, whatever digits were typed)."""
        return self.postcodes_found / self.postcodes if self.postcodes else 0.0

    def add(self, other: Score) -> None:
        """Add ``other``'s counts to this score (for the all-languages row)."""
        add_counts(self, other)
        self.confusions.update(other.confusions)
        self.groups.update(other.groups)
        self.groups_right.update(other.groups_right)


@dataclass
class ExitScore:
    """Leaving the guidance form, one language: caught exits and wrongly ended forms."""

    leave: int = 0
    by_intent: int = 0
    by_keywords: int = 0
    caught: int = 0
    answers: int = 0
    answers_ended: int = 0
    missed: list[str] = field(default_factory=list)
    wrongly_ended: list[str] = field(default_factory=list)

    def add(self, other: ExitScore) -> None:
        """Add ``other``'s counts to this score (for the all-languages row)."""
        add_counts(self, other)


@dataclass
class LanguageScore:
    """Language decisions on short messages, one language and kind of message."""

    messages: int = 0
    right: int = 0
    undecided: int = 0
    #: explicit choices ("auf englisch bitte") name the language to switch to: left out
    choices: int = 0
    wrong: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Right decisions of all scored messages (undecided ones count as not right)."""
        return self.right / self.messages if self.messages else 0.0

    def add(self, other: LanguageScore) -> None:
        """Add ``other``'s counts to this score (for the all-languages row)."""
        add_counts(self, other)


def short_texts(lang: str) -> dict[str, list[str]]:
    """The short-message sets of one language: ``{"in-domain": [...], "single words": ...}``."""
    short = yaml.safe_load((SHORT_DIR / f"{lang}.yml").read_text(encoding="utf-8"))
    sets = {"in-domain": [str(m) for m in short["messages"]]}
    path = VOCABULARY_DIR / f"{lang}.yml"
    if path.exists():
        vocabulary = yaml.safe_load(path.read_text(encoding="utf-8"))
        sets["single words"] = [str(w) for w in vocabulary["singles"]]
        sets["word pairs"] = [str(w) for w in vocabulary["pairs"]]
    return sets


async def score_language_decisions(parser: Parser, texts: list[str], lang: str) -> LanguageScore:
    """How often the parse output's ``language`` decision is ``lang``."""
    score = LanguageScore()
    for text in texts:
        language = (await parser.parse_message(text)).get("language") or {}
        if language.get("source") == "choice":
            score.choices += 1
            continue
        score.messages += 1
        code = language.get("code")
        score.undecided += code is None
        if code == lang:
            score.right += 1
        else:
            score.wrong.append((text, code))
    return score


def add_counts(total: Any, other: Any) -> None:
    """Add every integer field of the dataclass ``other`` to the same field of ``total``."""
    for item in fields(total):
        value = getattr(total, item.name)
        if isinstance(value, int):
            setattr(total, item.name, value + getattr(other, item.name))


def examples(directory: Path, lang: str) -> list[Message]:
    """The labelled messages of one language file (empty if the file is missing)."""
    path = directory / f"{lang}.yml"
    return RasaYAMLReader().read(path).intent_examples if path.exists() else []


def normal(text: str) -> str:
    """Case- and space-insensitive form for comparing messages."""
    return " ".join(text.casefold().split())


def training_texts() -> set[str]:
    """Every training message, normalised."""
    return texts_in(DATA_DIR / "nlu")


def texts_in(directory: Path) -> set[str]:
    """Every message of the NLU files under ``directory``, normalised (other YAML skipped)."""
    texts: set[str] = set()
    for path in directory.rglob("*.yml"):
        try:
            examples = RasaYAMLReader().read(path).intent_examples
        except Exception:  # noqa: BLE001 - not an NLU file (word lists, form-exit sets)
            continue
        texts.update(normal(e.get("text") or "") for e in examples)
    return texts


async def score_language(
    parser: Parser, items: list[Message], lang: str, training: set[str] | None = None
) -> Score:
    """Intent accuracy, entity recall and language decision for one language."""
    training = training or set()
    score = Score()
    for example in items:
        text, expected = example.get("text"), example.get("intent")
        result = await parser.parse_message(text)
        score.examples += 1
        predicted = result["intent"]["name"]
        seen = normal(text) in training
        score.in_training += seen
        group = ((example.get("metadata") or {}).get("intent") or {}).get("group")
        if group:
            score.groups[group] += 1
        if predicted == expected:
            score.right += 1
            score.right_unseen += not seen
            if group:
                score.groups_right[group] += 1
        else:
            score.confusions[(expected, predicted)] += 1
            score.wrong.append((text, expected, predicted))
        _score_entities(score, example, result, text)
        language = result.get("language") or {}
        code = language.get("code")
        # An explicit choice ("in Arabic please") names the language to switch to: right
        # by design, so only decisions from the text itself are scored.
        if code is not None and language.get("source") != "choice":
            score.language_decided += 1
            score.language_right += code == lang
    return score


#: entity type -> the Score fields it counts in (annotated, found, missed)
_RECALL_FIELDS = {
    "city": ("cities", "cities_found", "missed_cities"),
    "office_type": ("offices", "offices_found", "missed_offices"),
    "postal_code": ("postcodes", "postcodes_found", "missed_postcodes"),
}


def _score_entities(score: Score, example: Message, result: dict[str, Any], text: str) -> None:
    """Count annotated cities, office types and postcodes and those the parser found."""
    found: dict[str, set[str]] = {}
    for entity in result.get("entities") or []:
        found.setdefault(entity["entity"], set()).add(str(entity["value"]))
    for entity in example.get("entities") or []:
        names = _RECALL_FIELDS.get(entity["entity"])
        if names is None:
            continue
        total, hits, missed = names
        setattr(score, total, getattr(score, total) + 1)
        if str(entity["value"]) in found.get(entity["entity"], set()):
            setattr(score, hits, getattr(score, hits) + 1)
        else:
            getattr(score, missed).append((str(entity["value"]), text))


async def score_form_exit(parser: Parser, lang: str, directory: Path) -> ExitScore:
    """How the form reads a form-exit set (bot.guidance.form.wants_to_leave)."""
    data = yaml.safe_load((directory / f"{lang}.yml").read_text(encoding="utf-8"))
    score = ExitScore()
    for leaving, texts in ((True, data["leave"]), (False, data["answer"])):
        for text in map(str, texts):
            parsed = await parser.parse_message(text)
            intent = parsed["intent"]["name"]
            entities = {e["entity"]: e["value"] for e in parsed.get("entities") or []}
            ends = wants_to_leave(FormMessage(text, intent, entities, lang))
            if leaving:
                score.leave += 1
                score.by_intent += intent in LEAVE_INTENTS
                score.by_keywords += is_stop(text, lang)
                score.caught += ends
                if not ends:
                    score.missed.append(f"{text} ({intent})")
            else:
                score.answers += 1
                if ends:
                    score.answers_ended += 1
                    score.wrongly_ended.append(f"{text} ({intent})")
    return score
