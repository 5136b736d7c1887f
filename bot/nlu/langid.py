"""Decide which language a chat message is written in.

Plain langdetect is confidently wrong on short chat messages ("Hallo" -> fi at 0.99,
"merhaba" -> id, "سلام" -> ur), and most messages to Wegweiser are short. So the
decision is layered, cheapest and surest first:

1. *Minimum evidence*: names, postcodes and office words (masked by the caller), digits,
   emoji and words such as "ok" say nothing about the language. Too few letters left
   -> no decision, and the conversation keeps its language.
2. *Script rules*: letters that exist in only one of our languages decide alone
   (Ukrainian і/ї/є/ґ, Russian ы/э/ъ, Persian پ/چ/ژ/گ, Turkish ğ/ş/ı). A script we
   do not support at all (Ethiopic, Devanagari, ...) means "unsupported".
3. *Text model*: a character n-gram logistic regression trained on our own NLU data
   (every training file carries its language), restricted to the languages that use
   the message's script. lingua (restricted to our eight languages) votes beside it on
   which of our languages it is: our model knows chat, lingua general vocabulary. For
   longer messages the result is averaged with langdetect.

Latin letters can also be Arabizi, Finglish or transliterated Ukrainian/Russian
(data/nlu/romanized/): the text model may choose those languages for a Latin-script
message when it is clearly sure (ROMANIZED_MIN_CONFIDENCE); lingua and langdetect know
them only in their own script, so they do not vote on them.

A message in Arabic or Cyrillic script (scripts only two of our languages use) tells
the language family on its own: :meth:`LanguageIdentifier.script_guess` chooses between
those two even for a short message, so that it can beat a channel hint in another script.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.languages import SUPPORTED
from bot.nlu.text import script_of, strip_invisible

#: Languages per script that the text model may choose between. Unsupported ones we
#: have examples for are listed too, so "hola, necesito trabajo" is not forced into fr.
#: Latin letters include ar/fa/uk/ru: people type Arabizi, Finglish and transliterated
#: Ukrainian/Russian on phones, and read the answer in their own script
#: (data/nlu/romanized/).
SCRIPT_LANGUAGES: dict[str, frozenset[str]] = {
    "latin": frozenset(
        {"de", "en", "tr", "fr", "ar", "fa", "uk", "ru"}
        | {"es", "it", "pt", "pl", "nl", "ro", "sq"}
    ),
    "cyrillic": frozenset({"uk", "ru", "bg", "sr"}),
    "arabic": frozenset({"ar", "fa", "ps", "ur", "ckb"}),
}
#: Letters that occur in only one language of the script's candidates. Arabic: ta
#: marbuta and alef maksura, and the Arabic keyboard's yeh and kaf (U+064A, U+0643):
#: Persian, Dari, Urdu and Pashto keyboards type U+06CC and U+06A9 instead. In our
#: training and development data 84 % of Arabic-script Arabic messages carry one of
#: them and under 1 % of Persian ones; that tells Iraqi or Levantine words ("رقمه
#: شنو", "دوامها") from Persian, which the text model alone cannot.
MARKER_LETTERS: dict[str, str] = {
    "uk": "іїєґ",
    "ru": "ыэъё",
    "fa": "پچژگ",
    "ar": "يكةى",
    "tr": "ğşı",
}
#: When an Arabic-script message has both Arabic and Persian markers (an Arabic writer
#: spelling "Bottrop" with Persian pe, "بوتروپ"), the keyboard's letters decide: they
#: come from the writer's device, the pe from the name.
KEYBOARD_LETTERS: dict[str, str] = {"ar": "يك", "fa": "یک"}
#: The script each supported language is written in.
LANGUAGE_SCRIPTS: dict[str, str] = {
    "de": "latin",
    "en": "latin",
    "tr": "latin",
    "fr": "latin",
    "uk": "cyrillic",
    "ru": "cyrillic",
    "ar": "arabic",
    "fa": "arabic",
}
#: Scripts that only one or two of our languages use: a message in one of them says by
#: itself which language family the writer reads, whatever a browser or messenger hints.
OWN_SCRIPTS = frozenset({"arabic", "cyrillic"})
#: A transliteration (Arabizi, Finglish...) must be at least this likely to be chosen.
ROMANIZED_MIN_CONFIDENCE = 0.5
#: Words that carry no language evidence on their own.
#: Also the contact words German shares letter for letter with another of our Latin-script
#: languages, which people of every language type after an office's name: "Adresse"
#: (fr), "Telefon" (tr). As the only word besides names ("Hagener Arbeitsamt telefon",
#: "JC Wuppertal Adresse?") they decided Turkish or French; a message of names and such
#: words is names only (German unless the conversation has a language).
NEUTRAL_WORDS = frozenset(
    "ok okay okey oke okk k kk ок окей اوکی اوك اوكي hm hmm aha oh ah haha lol wow "
    "whatsapp telegram app pdf email e-mail sms "
    "adresse telefon tel termin kontakt info hotline".split()
)


#: The language whose words people of every language borrow in Germany ("Termin",
#: "Öffnungszeiten"): a message that reads as German but carries a common word of
#: exactly one other language ("Dortmund Jobcenter öffnungszeiten nedir") is that
#: language's, since German speakers do not borrow "nedir" or "merci" (see guest_words).
HOST_LANGUAGE = "de"
#: Confidence of such a guest-word decision: enough for a conversation's first message,
#: not enough to beat a channel hint or to flip an established language
#: (bot/nlu/language_policy.py).
GUEST_CONFIDENCE = 0.8


def romanized(code: str, script: str | None) -> bool:
    """Whether ``code`` written in ``script`` is a transliteration (Arabizi, Finglish...)."""
    return code in LANGUAGE_SCRIPTS and LANGUAGE_SCRIPTS[code] != script


@dataclass(frozen=True)
class Guess:
    """A language guess for one text."""

    code: str
    confidence: float
    source: str  # "script" or "text"
    letters: int
    script: str | None = None  # the message's main script
    words: int = 0  # words that counted (names, postcodes and "ok" left out)

    @property
    def supported(self) -> bool:
        """Whether the guessed language is one Wegweiser speaks."""
        return self.code in SUPPORTED


class TextModel:
    """Character n-gram classifier trained on labelled chat messages."""

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline
        self.labels: list[str] = list(pipeline.classes_)
        # scikit-learn's predict_proba costs ~1.3 ms per message in input checks and a
        # dot product with the transposed (non-contiguous) weights; the same softmax by
        # hand takes ~0.02 ms. Only for the shape train() builds: features, then a
        # multinomial logistic regression (tests/nlu/test_langid.py checks both agree).
        self._fast: tuple[list[Any], Any, Any, Any, Any] | None = None
        steps = [step for _, step in getattr(pipeline, "steps", [])]
        if len(steps) == 2 and hasattr(steps[0], "transformer_list"):
            features, classifier = steps
            multinomial = getattr(classifier, "multi_class", None) in ("auto", "multinomial")
            if (
                multinomial
                and getattr(classifier, "solver", "") != "liblinear"
                and (len(self.labels) > 2)
            ):
                # Imported here: the action server imports this module for its tables only.
                import numpy as np
                from scipy.sparse import hstack

                self._fast = (
                    [transformer for _, transformer in features.transformer_list],
                    np.ascontiguousarray(classifier.coef_.T),
                    classifier.intercept_,
                    hstack,
                    np.exp,
                )

    @staticmethod
    def prepare(text: str) -> str:
        """Lowercase without folding: ي vs ی and ş vs s are evidence here."""
        return strip_invisible(text).replace("İ", "i").lower()

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        seed: int = 42,
        words: Sequence[tuple[str, str]] = (),
    ) -> TextModel:
        """Fit the model on labelled messages and, optionally, (word, label) pairs.

        A few seconds for a few thousand messages; a few minutes with 80,000 ``words``
        (the common-word lists). Those words shape the character n-grams and the
        classifier, but not the whole-word features: a word feature helps only for that
        exact word, and 80,000 of them would cost ~30 MiB of the Rasa server's memory.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        word_pattern = r"(?u)\b\w+\b"
        messages = [cls.prepare(t) for t in texts]
        vocabulary = TfidfVectorizer(
            analyzer="word", token_pattern=word_pattern, lowercase=False
        ).fit(messages)
        features = make_union(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(1, 4),
                sublinear_tf=True,
                lowercase=False,
                max_features=60000,
            ),
            TfidfVectorizer(
                analyzer="word",
                token_pattern=word_pattern,
                lowercase=False,
                vocabulary=sorted(vocabulary.vocabulary_),
            ),
        )
        classifier = LogisticRegression(
            C=20.0, max_iter=3000, class_weight="balanced", random_state=seed
        )
        pipeline = make_pipeline(features, classifier)
        pipeline.fit(
            messages + [cls.prepare(w) for w, _ in words], [*labels, *(lang for _, lang in words)]
        )
        for _, transformer in features.transformer_list:
            # The n-grams cut by max_features, kept only for inspection: ~80,000 strings.
            transformer.stop_words_ = None
        return cls(pipeline)

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability per label for ``text``."""
        prepared = [self.prepare(text)]
        if self._fast is None:
            probs = self._pipeline.predict_proba(prepared)[0]
        else:
            transformers, weights, intercept, hstack, exp_ = self._fast
            features = hstack([t.transform(prepared) for t in transformers], format="csr")
            scores = features @ weights + intercept
            exp = exp_(scores - scores.max())
            probs = (exp / exp.sum()).ravel()
        return dict(zip(self.labels, (float(p) for p in probs)))

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (a file inside the Rasa model archive)."""
        with path.open("wb") as handle:
            pickle.dump(self._pipeline, handle)

    @classmethod
    def load(cls, path: Path) -> TextModel:
        """Read a model written by :meth:`save` (our own artefact, never user input)."""
        with path.open("rb") as handle:
            return cls(pickle.load(handle))  # noqa: S301


#: lingua's names of our languages, in bot.languages code order.
LINGUA_LANGUAGES = {
    "de": "GERMAN",
    "en": "ENGLISH",
    "ar": "ARABIC",
    "tr": "TURKISH",
    "uk": "UKRAINIAN",
    "ru": "RUSSIAN",
    "fa": "PERSIAN",
    "fr": "FRENCH",
}


@lru_cache(maxsize=8)
def lingua_detector(script: str, low_accuracy: bool = False) -> Any:
    """A lingua detector for our languages written in ``script``, built once per process.

    One detector per script (de/en/tr/fr, uk/ru, ar/fa): the script rules already chose
    the family, and each script can have its own accuracy mode. The n-gram models come
    inside the wheel (nothing is downloaded). High-accuracy mode holds about 130 MiB for
    the four Latin-script languages, 105 MiB for uk/ru and 65 MiB for ar/fa; low-accuracy
    mode about 10 MiB for all, but it is weaker on single words (docs/benchmarks-nlu.md).
    """
    from lingua import Language, LanguageDetectorBuilder

    names = [name for code, name in LINGUA_LANGUAGES.items() if LANGUAGE_SCRIPTS[code] == script]
    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in names))
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def lingua_probabilities(
    text: str, script: str = "latin", low_accuracy: bool = False
) -> dict[str, float]:
    """The lingua confidence per language code of ours in ``script`` (sums to 1, or empty)."""
    if script not in set(LANGUAGE_SCRIPTS.values()):
        return {}
    codes = {name: code for code, name in LINGUA_LANGUAGES.items()}
    values = lingua_detector(script, low_accuracy).compute_language_confidence_values(text)
    return {codes[v.language.name]: float(v.value) for v in values if v.language.name in codes}


def lingua_share(words: int) -> float:
    """How much of lingua's weight counts for a message of ``words`` words.

    lingua knows general vocabulary, our model chat with German terms in it ("we get
    Bürgergeld" is English, lingua says German): full say on one or two words, half on
    three to five, none on longer messages (chosen on tests/nlu/dev and tests/nlu/blind).
    """
    return 1.0 if words <= 2 else 0.5 if words <= 5 else 0.0


def main_script(text: str, min_own: int = 3) -> str | None:
    """The script ``text`` is written in (``None`` without letters).

    Usually the script of most letters; but Arabic or Cyrillic words (``min_own``
    letters or more) outweigh Latin ones, because migrants write German terms in
    Latin letters inside their own language: "шукаю Berufssprachkurs у Дортмунді".
    Only one such script does: a message mixing Arabic and Cyrillic words ("Hallo
    مرحبا привет") says nothing about either, and the majority decides.
    """
    scripts = Counter(script_of(c) for c in text if c.isalpha())
    own = own_scripts(text, min_own)
    if len(own) == 1:
        return own[0]
    return scripts.most_common(1)[0][0] if scripts else None


def own_scripts(text: str, min_own: int = 3) -> list[str]:
    """The Arabic/Cyrillic scripts with at least ``min_own`` letters in ``text``."""
    scripts = Counter(script_of(c) for c in text if c.isalpha())
    return [script for script, n in scripts.items() if script in OWN_SCRIPTS and n >= min_own]


def langdetect_probabilities(text: str) -> dict[str, float]:
    """Langdetect's distribution, seeded so that results are reproducible."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        return {g.lang.split("-")[0]: g.prob for g in detect_langs(text)}
    except LangDetectException:
        return {}


class LanguageIdentifier:
    """Combines the minimum-evidence rule, script rules and the text model."""

    def __init__(
        self,
        model: TextModel | None,
        min_letters: int = 3,
        langdetect_min_letters: int = 30,
        lingua_weight: float = 0.0,
        lingua_low_accuracy: Sequence[str] = (),
        guest_words: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.model = model
        #: per language, its most common words that German does not share (HOST_LANGUAGE)
        self.guest_words = {k: frozenset(v) for k, v in (guest_words or {}).items()}
        self.min_letters = min_letters
        self.langdetect_min_letters = langdetect_min_letters
        self.lingua_weight = lingua_weight
        #: scripts whose lingua detector runs in low-accuracy mode (to save memory)
        self.lingua_low_accuracy = frozenset(lingua_low_accuracy)

    def identify(self, text: str, masked: Sequence[tuple[int, int]] = ()) -> Guess | None:
        """Guess the language of ``text``; ``masked`` spans (names, postcodes) are ignored."""
        chars = list(text)
        for start, end in masked:
            chars[start:end] = [" "] * (end - start)
        words = [
            w
            for w in strip_invisible("".join(chars)).split()
            if w.lower().strip(".,!?;:") not in NEUTRAL_WORDS
        ]
        evidence = " ".join(words)
        letters = [c for c in evidence if c.isalpha()]
        if len(letters) < self.min_letters:
            return None
        if len(own_scripts(evidence, self.min_letters)) > 1:
            return None  # Arabic and Cyrillic words together: no language to pick
        script = main_script(evidence, self.min_letters)
        if script is None:  # too few letters of one script to say
            return None
        if script == "other":
            detected = langdetect_probabilities(evidence)
            code = max(detected, key=lambda k: detected[k]) if detected else "und"
            code = code if code not in SUPPORTED else "und"
            return Guess(code, 0.95, "script", len(letters), script, len(words))
        markers = self._markers(text, SCRIPT_LANGUAGES[script])
        if len(markers) == 1:
            return Guess(markers.pop(), 0.99, "script", len(letters), script, len(words))
        probs = self._text_probabilities(evidence, script, len(letters))
        if markers:  # conflicting markers: keep only the marked languages
            probs = {k: v for k, v in probs.items() if k in markers} or probs
        total = sum(probs.values()) or 1.0
        candidates = probs
        if self.lingua_weight > 0 and sum(probs.get(k, 0.0) for k in SUPPORTED) >= total / 2:
            # Mostly ours: lingua split that share among our languages, so an unsupported
            # runner-up must not win by the split ("i need Zeugnisbewertung for ...").
            candidates = {k: v for k, v in probs.items() if k in SUPPORTED}
        code = max(candidates, key=lambda k: candidates[k])
        guest = self.guest_language(words) if code == HOST_LANGUAGE else None
        if guest:
            return Guess(guest, GUEST_CONFIDENCE, "text", len(letters), script, len(words))
        if romanized(code, script) and probs[code] / total < ROMANIZED_MIN_CONFIDENCE:
            # Dictionary words look like transliterations by chance ("konsul", "Modi"):
            # a transliteration must be the clear favourite, else the Latin languages vie.
            native = {k: v for k, v in candidates.items() if not romanized(k, script)}
            code = max(native, key=lambda k: native[k]) if native else code
        return Guess(code, probs[code] / total, "text", len(letters), script, len(words))

    def guest_language(self, words: Sequence[str]) -> str | None:
        """The one other language whose common words a German-looking message carries."""
        tokens = {word.lower().strip(".,!?;:()\"'«»¿¡") for word in words}
        found = [code for code, common in self.guest_words.items() if tokens & common]
        return found[0] if len(found) == 1 else None

    def script_guess(self, text: str, masked: Sequence[tuple[int, int]] = ()) -> Guess | None:
        """Which of our languages written in the message's own script it is in.

        For a message in Arabic or Cyrillic script (OWN_SCRIPTS) only: the script alone
        says ar-or-fa / uk-or-ru, so the choice is among those two even when the words
        left after masking names are too few for :meth:`identify` to decide. Between
        the two, marker letters decide, else the text model on the words (names
        included when nothing else is left). ``None`` for other scripts.
        """
        script = main_script(text)
        if script not in OWN_SCRIPTS:
            return None
        ours = frozenset(code for code, s in LANGUAGE_SCRIPTS.items() if s == script)
        chars = list(text)
        for start, end in masked:
            chars[start:end] = [" "] * (end - start)
        rest = "".join(chars)
        letters = sum(c.isalpha() for c in rest)
        evidence = rest if letters >= self.min_letters else text
        markers = self._markers(text, ours)
        if len(markers) == 1:
            return Guess(markers.pop(), 0.99, "script", letters, script)
        probs = self._text_probabilities(evidence, script, sum(c.isalpha() for c in evidence))
        probs = {k: v for k, v in probs.items() if k in ours}
        total = sum(probs.values())
        if not total:
            return None
        code = max(probs, key=lambda k: probs[k])
        return Guess(code, probs[code] / total, "script", letters, script)

    @staticmethod
    def _markers(text: str, candidates: frozenset[str]) -> set[str]:
        # Marker letters count even inside names: "Ессені" is Ukrainian, "Эссене" Russian.
        lowered = strip_invisible(text).lower()
        found = {
            lang
            for lang, chars_ in MARKER_LETTERS.items()
            if lang in candidates and any(c in lowered for c in chars_)
        }
        if len(found) > 1:
            typed = {
                lang
                for lang, chars_ in KEYBOARD_LETTERS.items()
                if lang in found and any(c in lowered for c in chars_)
            }
            found = typed if len(typed) == 1 else found
        return found

    def _text_probabilities(self, text: str, script: str, letters: int) -> dict[str, float]:
        allowed = SCRIPT_LANGUAGES[script]
        probs: dict[str, float] = {}
        if self.model is not None:
            probs = {k: v for k, v in self.model.probabilities(text).items() if k in allowed}
        weight = self.lingua_weight * lingua_share(len(text.split()))
        if weight > 0:
            probs = self._with_lingua(text, probs, script, weight)
        top = max(probs, key=lambda k: probs[k]) if probs else ""
        # langdetect has no model of transliterations: it reads Arabizi as Welsh.
        long_text = letters >= self.langdetect_min_letters and not romanized(top, script)
        if long_text or not probs:
            detected = langdetect_probabilities(text)
            detected = {k: v for k, v in detected.items() if k in allowed or k not in SUPPORTED}
            if probs:
                probs = {
                    k: 0.5 * probs.get(k, 0.0) + 0.5 * detected.get(k, 0.0)
                    for k in set(probs) | set(detected)
                }
            else:
                probs = detected
        return probs or {"und": 1.0}

    def _with_lingua(
        self, text: str, probs: dict[str, float], script: str, weight: float
    ) -> dict[str, float]:
        """Let lingua vote on *which* of our languages; the model keeps *whether* it is ours.

        lingua knows only our eight languages, so it cannot say "Spanish". The share the
        text model gives to unsupported languages is kept as it is; the share it gives to
        ours is split between our languages by a weighted mix of both.
        """
        low = script in self.lingua_low_accuracy
        lingua = lingua_probabilities(text, script, low)
        lingua_total = sum(lingua.values())
        if not lingua_total:
            return probs
        lingua = {k: v / lingua_total for k, v in lingua.items()}
        if not probs:
            return lingua
        # lingua knows our languages in their own script only: transliterations
        # (Arabizi...) keep the text model's share, like unsupported languages.
        ours = {k: v for k, v in probs.items() if k in SUPPORTED and not romanized(k, script)}
        ours_total = sum(ours.values())
        if not ours_total:
            return probs
        mixed = {
            k: ours_total
            * ((1 - weight) * ours.get(k, 0.0) / ours_total + weight * lingua.get(k, 0.0))
            for k in set(ours) | set(lingua)
        }
        return {**{k: v for k, v in probs.items() if k not in ours}, **mixed}
