"""Free-text answers to the guidance questions in all eight languages."""

from __future__ import annotations

import pytest

from bot.guidance.answers import age_group_from_number, bad_postcode, is_skip, match_value

ANSWERS = [
    ("de", "goal", "Ich suche Arbeit", "job"),
    ("de", "goal", "eine Ausbildung", "apprenticeship"),
    ("de", "situation", "ich habe eine Duldung", "duldung"),
    ("de", "receives_buergergeld", "nein, kein Bürgergeld", "no"),
    ("en", "goal", "recognition of my diploma", "recognition"),
    ("en", "situation", "I'm a recognised refugee", "recognised_protection"),
    ("en", "receives_buergergeld", "yes I do", "yes"),
    ("en", "receives_buergergeld", "I don't get it", "no"),
    ("ar", "goal", "أريد دورة لغة", "german_course"),
    ("ar", "situation", "أنا في إجراءات اللجوء", "asylum_procedure"),
    ("ar", "receives_buergergeld", "نعم", "yes"),
    ("tr", "goal", "çalışma izni lazım", "work_permit"),
    ("tr", "situation", "Ukrayna'dan geldim", "temporary_protection_ukraine"),
    ("tr", "receives_buergergeld", "hayır almıyorum", "no"),
    ("uk", "goal", "шукаю роботу", "job"),
    ("uk", "situation", "я з України", "temporary_protection_ukraine"),
    ("uk", "receives_buergergeld", "так, отримую", "yes"),
    ("ru", "goal", "признание диплома", "recognition"),
    ("ru", "situation", "у меня вид на жительство", "other_residence_title"),
    ("ru", "receives_buergergeld", "нет", "no"),
    ("fa", "goal", "آموزش حرفه‌ای", "apprenticeship"),
    ("fa", "situation", "پناهنده هستم", "recognised_protection"),
    ("fa", "receives_buergergeld", "بله", "yes"),
    ("fr", "goal", "un cours d'allemand", "german_course"),
    ("fr", "situation", "je suis citoyen de l'UE", "eu_citizen"),
    ("fr", "receives_buergergeld", "non", "no"),
    # German words mixed into another language are understood too.
    ("ar", "situation", "عندي Duldung", "duldung"),
]


@pytest.mark.parametrize(("language", "slot", "text", "value"), ANSWERS)
def test_answers(language, slot, text, value):
    assert match_value(slot, text, language) == value


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "weiß nicht"),
        ("en", "skip"),
        ("ar", "تخطي"),
        ("tr", "bilmiyorum"),
        ("uk", "пропустити"),
        ("ru", "не знаю"),
        ("fa", "نمی‌دانم"),
        ("fr", "je ne sais pas"),
    ],
)
def test_skip_in_every_language(language, text):
    assert is_skip(text, language)


@pytest.mark.parametrize(
    ("language", "text", "marker", "group"),
    [
        ("en", "I am 22", True, "under_25"),
        ("de", "ich bin 31 Jahre alt", True, "25_plus"),
        ("ru", "мне 19 лет", True, "under_25"),
        ("fa", "۲۸ سال دارم", True, "25_plus"),
        ("ar", "عمري ٢٤ سنة", True, "under_25"),
        ("tr", "25", False, "25_plus"),
        ("en", "§ 24", False, None),  # a paragraph, not an age
        ("en", "I have 2 kids", True, None),  # out of range
        ("de", "seit 30 Tagen hier", True, None),  # no age word
    ],
)
def test_age_from_numbers(language, text, marker, group):
    assert age_group_from_number(text, language, require_marker=marker) == group


def test_unclear_answers_are_not_guessed():
    assert match_value("goal", "hello there", "en") is None
    assert match_value("situation", "blue", "de") is None


@pytest.mark.parametrize(
    ("text", "bad"), [("4512", "4512"), ("451277", "451277"), ("45a27", "45a27"), ("45127", None)]
)
def test_malformed_postcodes(text, bad):
    assert bad_postcode(text) == bad
