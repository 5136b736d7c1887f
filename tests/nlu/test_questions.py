"""Question marks and question words make a message a question (bot/nlu/questions.py)."""

from __future__ import annotations

import pytest

from bot.languages import SUPPORTED
from bot.nlu.questions import is_question, question_words


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bürgergeld Essen?", "de"),
        ("الإقامة بإيسن؟", "ar"),
        ("wo beantrage ich Bürgergeld in Essen", "de"),
        ("who extends residence permits in hagen", "en"),
        ("c'est où pour le titre de séjour à Essen", "fr"),
        ("oturma izni nereden alinir essen", "tr"),  # typed without Turkish letters
        ("куди звертатися по бюргергельд у Бохумі", "uk"),
        ("где продлить ВНЖ в Эссене", "ru"),
        ("تجديد الإقامة بدورتموند وين", "ar"),
        ("اقامت در بوخوم کجا", "fa"),
        ("where Bürgergeld Essen", "ru"),  # English question words count in every language
    ],
)
def test_questions(text, language):
    assert is_question(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ich bekomme Bürgergeld und wohne in Essen", "de"),
        ("I have a Duldung and live in Oberhausen", "en"),
        ("я получаю бюргергельд как беженка", "ru"),  # "как" here is "as"
        ("أنا من سوريا وعندي إقامة", "ar"),  # "من" here is "from"
        ("je vis à Essen ou à Bochum", "fr"),  # "ou" is "or"
        ("", "de"),
    ],
)
def test_statements(text, language):
    assert not is_question(text, language)


def test_every_language_has_question_words():
    assert all(question_words(code) is not None for code in SUPPORTED)
