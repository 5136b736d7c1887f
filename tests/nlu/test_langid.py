"""Script rules and the minimum-evidence rule of bot/nlu/langid.py (no trained model)."""

from __future__ import annotations

import pytest

from bot.languages import normalise_code
from bot.nlu.langid import LanguageIdentifier, main_script
from bot.nlu.text import fold

ident = LanguageIdentifier(model=None)


@pytest.mark.parametrize(
    "text,code",
    [
        ("дякую і бувай", "uk"),
        ("привіт, де джобцентр", "uk"),
        ("спасибо, вы очень помогли", "ru"),
        ("это ты", "ru"),
        ("میخواهم کار پیدا کنم", "fa"),
        ("چطوری", "fa"),
        ("teşekkürler", "tr"),
        ("iş arıyorum", "tr"),
    ],
)
def test_marker_letters_decide_alone(text, code):
    guess = ident.identify(text)
    assert (guess.code, guess.source) == (code, "script")


@pytest.mark.parametrize("text", ["ok", "👍👍", "45127", "  ", "?!", "okay 🙂", ""])
def test_no_evidence_no_decision(text):
    assert ident.identify(text) is None


def test_masked_names_carry_no_evidence():
    assert ident.identify("Essen 45127", masked=[(0, 5), (6, 11)]) is None


def test_unsupported_script_is_unsupported():
    guess = ident.identify("ሰላም ስራ እፈልጋለሁ")  # Tigrinya/Amharic (Ethiopic script)
    assert guess is not None and not guess.supported


@pytest.mark.parametrize(
    "raw,code",
    [
        ("uk-UA", "uk"),
        ("de_DE", "de"),
        ("FA", "fa"),
        ("prs", "fa"),
        ("", None),
        (None, None),
        ("12", None),
    ],
)
def test_locale_normalisation(raw, code):
    assert normalise_code(raw) == code


@pytest.mark.parametrize(
    "a,b",
    [
        ("مَكْتَبُ", "مكتب"),
        ("كلاس", "کلاس"),
        ("İstanbul", "istanbul"),
        ("Ausländerbehörde", "auslanderbehorde"),
        ("می‌خواهم", "میخواهم"),
        ("\u202ehallo", "hallo"),
    ],
)
def test_fold_unifies_spellings(a, b):
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    "text,script",
    [
        ("шукаю Berufssprachkurs у Дортмунді", "cyrillic"),
        ("أحتاج Bürgergeld", "arabic"),
        ("Ich brauche Hilfe beim Jobcenter", "latin"),
        ("Hallo, я", "latin"),  # one Cyrillic letter is no script of its own
        ("", None),
    ],
)
def test_arabic_or_cyrillic_words_outweigh_german_terms(text, script):
    assert main_script(text) == script
