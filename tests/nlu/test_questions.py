"""Question marks and question words make a message a question (bot/nlu/questions.py)."""

from __future__ import annotations

import pytest

from bot.languages import SUPPORTED
from bot.nlu.questions import choice_words, is_question, offers_choice, question_words


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


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Jobcenter oder Agentur für Arbeit in Herne?", "de", True),
        ("do I go to the Ausländerbehörde or the Jobcenter", "en", True),
        ("c'est le jobcenter ou l'Arbeitsamt qui s'occupe de moi", "fr", True),
        ("Jobcenter mı yoksa İş Ajansı mı", "tr", True),
        ("до ауслендерки чи до джоба?", "uk", True),
        ("мне джобцентр нужен или арбайтсамт?", "ru", True),
        ("الجوب سنتر ولا الاربايتس امت", "ar", True),
        ("جاب سنتر مسئول است یا اینتگراسیون پوینت؟", "fa", True),
        ("Jobcenter und Ausländerbehörde in Essen", "de", False),
        # "où" (where) folds to "ou": only "ou" before an article counts in French
        ("où sont le jobcenter et l'ausländerbehörde", "fr", False),
        # Ukrainian "чи" also opens a yes/no question
        ("Чи є джобцентр і ауслендербехерде в Ессені?", "uk", False),
        ("Essen'de Jobcenter ve Ausländerbehörde var mı", "tr", False),
    ],
)
def test_words_that_offer_a_choice(text, language, expected):
    assert offers_choice(text, language) is expected


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_language_has_choice_words(language):
    assert choice_words(language) is not None
