"""Direction and length of every message in data/responses.

Messengers (WhatsApp, Telegram) set a bubble's direction from its first strong character,
so every Arabic and Persian message must open right-to-left: with an Arabic-script letter
or with a RIGHT-TO-LEFT MARK (U+200F). A placeholder before the first strong character is
not enough, since what fills it (an office name) is usually German.

No message may be longer than MAX_CHARS in any language: long answers are split into a
short answer plus sub-topic buttons (bot/topics.py). Placeholders count with their names;
the office card, whose fields are filled in code, is checked with the cards.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
import yaml

from bot.languages import SUPPORTED
from bot.responses import language_paths

RTL_LANGUAGES = ("ar", "fa")
MAX_CHARS = 700
RLM = "\u200f"
# Western and Arabic-script digits; links and placeholders are not read as sentences.
LATIN_DIGIT = re.compile(r"[0-9]")
ARABIC_DIGIT = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]")
NOT_PROSE = re.compile(r"(?:https?://)?www\.\S+|\{\w+\}")
SENTENCE_END = re.compile(r"(?<=[.!?؟:])\s+|\n")


def opens_right_to_left(text: str) -> bool:
    """Whether a messenger shows ``text`` right-to-left (first strong character rule)."""
    for char in text:
        if char == RLM:
            return True
        if char == "{":  # a placeholder: its content decides, and it is not known here
            return False
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def mixed_digit_sentences(text: str) -> list[str]:
    """Sentences of ``text`` that mix Western and Arabic-script digits."""
    prose = NOT_PROSE.sub("", text)
    return [
        sentence
        for sentence in SENTENCE_END.split(prose)
        if LATIN_DIGIT.search(sentence) and ARABIC_DIGIT.search(sentence)
    ]


def messages(code: str) -> list[tuple[str, str]]:
    """(response name, text) for every text variation of language ``code``."""
    found = []
    for path in language_paths(code):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for key, variations in (data.get("responses") or {}).items():
            for variation in variations:
                if variation.get("text"):
                    found.append((key, variation["text"]))
    return found


@pytest.mark.parametrize(
    "text,expected",
    [
        ("مرحبًا", True),
        ("سلام", True),
        ("Integrationskurs – من يحق له؟", False),
        ("\u200fJobcenter – الجوب سنتر", True),
        ("{name}\nالمصدر", False),
        ("\u200f{name}\nالمصدر", True),
        ("«{postal_code}» ليس رمزًا", False),
        ("الرمز «{postal_code}»", True),
        ("25 أو أكثر", True),
        ("• 2026", False),
    ],
)
def test_first_strong_character_rule(text, expected):
    assert opens_right_to_left(text) is expected


@pytest.mark.parametrize("code", RTL_LANGUAGES)
def test_every_rtl_message_opens_right_to_left(code):
    wrong = [key for key, text in messages(code) if not opens_right_to_left(text)]
    assert wrong == []


@pytest.mark.parametrize(
    "text,mixed",
    [
        ("از ۱ اپریل ۲۰۲۵ تا 2026.", True),
        ("از ۱ اپریل ۲۰۲۵. طبق § 24 هم.", False),
        ("مثلاً ۴۵۱۲۷. بیشتر: www.bamf.de/2025", False),
        ("في 1 أبريل 2025", False),
    ],
)
def test_mixed_digit_rule(text, mixed):
    assert bool(mixed_digit_sentences(text)) is mixed


@pytest.mark.parametrize("code", RTL_LANGUAGES)
def test_one_digit_system_per_sentence(code):
    # A sentence reads badly when it mixes ۲۰۲۶ and 2026.
    mixed = [(key, s) for key, text in messages(code) for s in mixed_digit_sentences(text)]
    assert mixed == []


@pytest.mark.parametrize("code", SUPPORTED)
def test_no_message_is_longer_than_the_limit(code):
    too_long = [(key, len(text)) for key, text in messages(code) if len(text) > MAX_CHARS]
    assert too_long == []


def test_the_checks_see_every_language_and_the_topic_answers():
    # Guards against a refactoring that silently makes messages() return nothing.
    for code in SUPPORTED:
        keys = {key for key, _ in messages(code)}
        assert {"utter_greet", "utter_topic_language_course_admission"} <= keys, code
