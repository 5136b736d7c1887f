"""The conversation's language: choice > hint > strong text; short messages never flip."""

from __future__ import annotations

import pytest

from bot.nlu.language_policy import LanguageState, resolve

NONE = LanguageState(None, None)


def d(code, conf=0.99, source="text", evidence=30):
    return {"code": code, "confidence": conf, "source": source, "evidence": evidence}


@pytest.mark.parametrize(
    "state,decision,chosen,expected",
    [
        (NONE, d("ar"), None, LanguageState("ar", "text")),
        (NONE, d("ar", conf=0.4), None, None),  # too unsure even for a first guess
        # a language guessed from names alone holds only until the user's own words
        (NONE, d("en", 0.6, "names", 0), None, LanguageState("en", "names")),
        (LanguageState("en", "names"), d("tr", 0.7, evidence=6), None, LanguageState("tr", "text")),
        (LanguageState("en", "text"), d("tr", 0.6, "names", 0), None, None),
        (NONE, d("tr", source="metadata"), None, LanguageState("tr", "metadata")),
        (
            LanguageState("tr", "metadata"),
            d("de", source="metadata"),
            None,
            LanguageState("de", "metadata"),
        ),
        (LanguageState("ar", "text"), d("de", source="metadata"), None, None),  # hint < text
        (LanguageState("ar", "text"), d("de", evidence=5), None, None),  # "danke" never flips
        (LanguageState("ar", "text"), d("de", conf=0.8), None, None),
        (LanguageState("ar", "text"), d("de"), None, LanguageState("de", "text")),
        (LanguageState("en", "choice"), d("de"), None, None),  # choice is sticky...
        (LanguageState("en", "choice"), d("de", conf=0.99, evidence=40), None, None),
        (
            LanguageState("en", "choice"),
            d("de", conf=0.995, evidence=40),
            None,
            LanguageState("de", "text"),
        ),  # ...unless a long message is unmistakable
        (LanguageState("en", "choice"), d("de"), "fa", LanguageState("fa", "choice")),
        (LanguageState("ar", "text"), d(None, conf=0.0, source=None, evidence=0), None, None),
        (LanguageState("ar", "text"), d("es"), None, None),  # unsupported never becomes the slot
        (LanguageState("ar", "text"), None, "xx", None),
    ],
)
def test_resolve(state, decision, chosen, expected):
    assert resolve(state, decision, chosen) == expected


@pytest.mark.parametrize("source", ["text", "metadata"])
def test_one_word_never_flips_the_language_however_long_and_sure(source):
    # "Kleinkleckersdorf" typed as the town in an English conversation stays English.
    one_word = {**d("de", conf=0.99, evidence=17), "words": 1, "script": "latin"}
    assert resolve(LanguageState("en", source), one_word) is None
    two_words = {**one_word, "words": 2}
    assert resolve(LanguageState("en", "text"), two_words) == LanguageState("de", "text")


def s(code, conf=0.7, evidence=5, script="arabic", source="script"):
    """A decision on a message in ``script`` (the detector adds the message's script)."""
    return {**d(code, conf, source, evidence), "script": script}


CYRILLIC_RU = s("ru", script="cyrillic")


@pytest.mark.parametrize(
    "state,decision,expected",
    [
        # The browser said German, the first message is Arabic: Arabic, even unsure
        # between ar and fa and with only names besides "أين في".
        (LanguageState("de", "metadata"), s("ar"), LanguageState("ar", "script")),
        (LanguageState("de", "metadata"), s("ar", evidence=0), LanguageState("ar", "script")),
        (LanguageState("en", "metadata"), CYRILLIC_RU, LanguageState("ru", "script")),
        # Shown by text, a name alone in another script does not flip; words do.
        (LanguageState("de", "text"), s("fa", evidence=0), None),
        (LanguageState("de", "text"), s("fa"), LanguageState("fa", "script")),
        # An explicit choice stays; so does a language in the message's own script
        # (Arabic vs Persian, Ukrainian vs Russian need the usual evidence).
        (LanguageState("de", "choice"), s("ar"), None),
        (LanguageState("fa", "metadata"), s("ar"), None),
        (LanguageState("uk", "metadata"), s("ru", script="cyrillic"), None),
        # Latin is shared by four of our languages: the usual rules apply.
        (LanguageState("ru", "metadata"), s("de", script="latin"), None),
        (LanguageState("de", "metadata"), s("ar", conf=0.4), None),
    ],
)
def test_a_message_in_another_script_beats_a_stale_hint(state, decision, expected):
    assert resolve(state, decision) == expected
