"""Rasa component that decides the language of each user message.

Runs after the intent classifier and the gazetteer, because it needs both: an
explicit choice ("English please") is a ``choose_language`` intent with a
``language`` entity, and names/postcodes found by the gazetteer carry no language
evidence. The decision is added to the parse output at the top level::

    "language": {"code": "ar", "confidence": 0.97, "source": "text"}

``source`` is one of ``choice``, ``script``, ``text``, ``metadata``, ``names``; ``code``
is ``null`` when there is not enough evidence. A message in Arabic or Cyrillic script
decides between the two languages of that script even against a channel hint in
another script (the hint still settles Arabic vs Persian, Ukrainian vs Russian).
Whether the decision changes the conversation's language is decided later, with the
conversation's history, by ``action_resolve_language`` (see bot/nlu/language_policy.py).

A message confidently written in a language we do not support (a full Spanish
sentence, say) has its intent replaced by ``unsupported_language`` so that the bot
answers with the bilingual list of supported languages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, Iterable, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.languages import SUPPORTED, is_supported, normalise_code
from bot.nlu.intent_ranking import set_top_intent
from bot.nlu.langid import (
    HOST_LANGUAGE,
    LANGUAGE_SCRIPTS,
    Guess,
    LanguageIdentifier,
    TextModel,
    lingua_detector,
    main_script,
)
from bot.paths import LANGID_WORDS_DIR

MODEL_FILE = "language_model.pkl"
#: Common words per language (data/langid/words/<lang>.txt, tools/make_langid_words.py).
WORDS_DIR = LANGID_WORDS_DIR
#: Names that say nothing about the writer's language. Not office tasks: "diploma
#: denkliği" or "reconnaissance de diplôme" is all the evidence a short message has.
MASKED_ENTITIES = ("city", "postal_code", "office_type", "language")
#: Confidence of a decision from names alone: enough for a conversation's first message
#: (bot/nlu/language_policy.py), never enough to change an established language.
NAMES_CONFIDENCE = 0.6


def language_of_names(entities: List[Dict[str, Any]]) -> str | None:
    """The one language whose speakers name the message's city and office this way.

    Names that German lists too ("Jobcenter", "Essen") are what everybody types and say
    nothing; the others must agree on exactly one of our languages.
    """
    candidates: set[str] | None = None
    for entity in entities:
        languages = set(entity.get("languages") or [])
        # Names German lists too ("Jobcenter", "Essen") say nothing.
        if (
            entity.get("entity") not in ("city", "office_type")
            or not languages
            or "de" in languages
        ):
            continue
        candidates = languages if candidates is None else candidates & languages
    if candidates and len(candidates) == 1:
        code = candidates.pop()
        return code if is_supported(code) else None
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LanguageDetector(GraphComponent):
    """Language decision per message: explicit choice, script, text model, channel hint."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Default configuration."""
        return {
            # Fewer letters than this (after removing names/postcodes) -> no decision.
            "min_letters": 3,
            # From this many letters on, langdetect is averaged in (it is poor below).
            "langdetect_min_letters": 30,
            # lingua's share in choosing among our languages (0 turns it off); chosen on a
            # development draw of the vocabulary set and the in-domain short set
            # (docs/benchmarks-nlu.md).
            "lingua_weight": 0.5,
            # Scripts whose lingua models load in low-accuracy mode, to save memory: high
            # accuracy holds latin ~130, cyrillic ~105, arabic ~65 MiB, low ~10 MiB in all.
            # config.yml sets ["arabic"] (~55 MiB less, single words -0.9 points, in-domain
            # -0.5); all high left the Rasa server at 1.22-1.24 GiB after 200 turns.
            "lingua_low_accuracy": [],
            # A text decision this sure, with this many letters, beats the channel hint.
            "strong_confidence": 0.9,
            "strong_min_letters": 8,
            # Replace the intent by `unsupported_language` above these thresholds.
            "unsupported_confidence": 0.8,
            "unsupported_min_letters": 12,
            "unsupported_intent": "unsupported_language",
            "choice_intent": "choose_language",
            # Key of the channel metadata that carries a language hint (e.g. "uk-UA").
            "metadata_key": "language",
            "random_seed": 42,
            # Train the text model on each language's common words too (WORDS_DIR): our
            # chat data alone misjudges single words outside it ("tenderness" -> de).
            # false: the chat data alone (~2 min less training).
            "common_words": True,
            # A German-looking message with one of another Latin-script language's this
            # many most common words is that language's ("Jobcenter Dortmund
            # öffnungszeiten nedir"); 0 turns it off. Above ~1000 the lists hold names and
            # German loans ("antalya", "approbation", "köfte"), chosen on our German
            # training and development messages (docs/benchmarks-nlu.md).
            "guest_word_rank": 800,
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Packages this component imports."""
        # Not "lingua": Rasa fingerprints these by distribution name, and lingua's
        # (lingua-language-detector) differs from its module name; it is imported below.
        return ["langdetect", "sklearn"]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: TextModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.identifier = LanguageIdentifier(
            model,
            self._config["min_letters"],
            self._config["langdetect_min_letters"],
            lingua_weight=self._config["lingua_weight"],
            lingua_low_accuracy=self._config["lingua_low_accuracy"],
            guest_words=guest_words(self._config["guest_word_rank"]),
        )
        if self.identifier.lingua_weight > 0:
            # Build lingua (~2 s, models from the wheel) at load, not on the first message.
            for script in sorted(set(LANGUAGE_SCRIPTS.values())):
                lingua_detector(script, script in self.identifier.lingua_low_accuracy)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Create an untrained detector."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        """Load the trained text model from the model archive."""
        try:
            with model_storage.read_from(resource) as directory:
                model = TextModel.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            model = None  # e.g. a model trained without language-labelled data
        return cls(config, model_storage, resource, model)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Changes when the word lists change, so cached training is invalidated."""
        digest = hashlib.sha256()
        for path in sorted(WORDS_DIR.glob("*.txt")):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the text model on examples whose intent block declares its language.

        Plus each supported language's common words (``common_words``), which teach the
        model general vocabulary beside our chat messages.
        """
        texts, labels = [], []
        for example in training_data.intent_examples:
            language = ((example.get(METADATA) or {}).get("intent") or {}).get("language")
            if language and example.get(TEXT):
                texts.append(example.get(TEXT))
                labels.append(language)
        words = []
        if self._config["common_words"] and labels:
            words = [(w, lang) for lang, ws in common_words().items() for w in ws]
        if len(set(labels)) >= 2:
            model = TextModel.train(texts, labels, self._config["random_seed"], words)
            with self._model_storage.write_to(self._resource) as directory:
                model.save(directory / MODEL_FILE)
            self.identifier.model = model
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the top-level ``language`` decision (and maybe the unsupported intent)."""
        for message in messages:
            message.set("language", self._decide(message), add_to_output=True)
        return messages

    def _decide(self, message: Message) -> Dict[str, Any]:
        entities = message.get(ENTITIES) or []
        intent = (message.get(INTENT) or {}).get("name")
        if intent == self._config["choice_intent"]:
            chosen = [e["value"] for e in entities if e.get("entity") == "language"]
            if chosen and is_supported(chosen[-1]):
                return _decision(chosen[-1], 1.0, "choice", len(message.get(TEXT) or ""))
        masked = [
            (e["start"], e["end"])
            for e in entities
            if e.get("entity") in MASKED_ENTITIES and "start" in e
        ]
        text = message.get(TEXT) or ""
        script = main_script(text)
        guess = self.identifier.identify(text, masked)
        hint = normalise_code((message.get(METADATA) or {}).get(self._config["metadata_key"]))
        if guess and not guess.supported:
            if (
                guess.confidence >= self._config["unsupported_confidence"]
                and guess.letters >= self._config["unsupported_min_letters"]
            ):
                self._mark_unsupported(message, guess.confidence)
                return _guess_decision(guess, script)
            guess = None
        if (
            guess
            and guess.confidence >= self._config["strong_confidence"]
            and (guess.letters >= self._config["strong_min_letters"] or guess.source == "script")
        ):
            return _guess_decision(guess, script)
        if hint is not None and is_supported(hint) and LANGUAGE_SCRIPTS.get(hint) != script:
            # A stale hint in another script ("de" from the browser, an Arabic question):
            # the script decides the family, the words (or names) the language in it.
            # Between Arabic and Persian, or Ukrainian and Russian, the hint still wins.
            own = self.identifier.script_guess(text, masked)
            if own:
                return _decision(own.code, own.confidence, "script", own.letters, script)
        if is_supported(hint):
            return _decision(hint, 1.0, "metadata", 0, script)
        if guess:
            return _guess_decision(guess, script)
        # Nothing left but names ("консультация для беженцев Гельзенкирхен" minus the
        # office and the city): the script still rules out six of our languages, so the
        # two that use it decide, by marker letters or the names. `evidence` stays the
        # letters besides names, so this never flips an established language.
        own = self.identifier.script_guess(text, masked)
        if own:
            return _decision(own.code, own.confidence, "script", own.letters, script)
        # Names only, in Latin letters: a name that only one language's speakers use
        # ("immigration office", "Hartz IV dairesi", "agentura po trudu") says which.
        named = language_of_names(entities)
        if named:
            return _decision(named, NAMES_CONFIDENCE, "names", 0, script)
        return _decision(None, 0.0, None, 0, script)

    def _mark_unsupported(self, message: Message, confidence: float) -> None:
        set_top_intent(message, self._config["unsupported_intent"], confidence)


def common_words(
    directory: Path = WORDS_DIR, languages: Iterable[str] = SUPPORTED
) -> Dict[str, List[str]]:
    """The common-word list of each of ``languages`` that has one."""
    out = {}
    for language in languages:
        path = directory / f"{language}.txt"
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            out[language] = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
    return out


def guest_words(rank: int, directory: Path = WORDS_DIR) -> Dict[str, List[str]]:
    """The ``rank`` most common words of each Latin-script language besides German.

    The lists (WORDS_DIR) are in frequency order and hold no word that a same-script
    language's list has, so none of these is among German's common words.
    """
    if rank <= 0:
        return {}
    guests = [
        code
        for code in SUPPORTED
        if LANGUAGE_SCRIPTS.get(code) == "latin" and code != HOST_LANGUAGE
    ]
    return {language: words[:rank] for language, words in common_words(directory, guests).items()}


def _guess_decision(guess: Guess, script: str | None) -> Dict[str, Any]:
    return _decision(guess.code, guess.confidence, guess.source, guess.letters, script, guess.words)


def _decision(
    code: str | None,
    confidence: float,
    source: str | None,
    evidence: int = 0,
    script: str | None = None,
    words: int | None = None,
) -> Dict[str, Any]:
    # `evidence` (letters that counted) and `words` let the dialogue side refuse to flip
    # the conversation's language on a one-word message; `script` (the message's main
    # script) lets it follow a message in another script than the conversation's.
    decision = {
        "code": code,
        "confidence": round(float(confidence), 4),
        "source": source,
        "evidence": evidence,
        "script": script,
    }
    if words is not None:
        decision["words"] = words
    return decision
