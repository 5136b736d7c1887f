"""bot.guidance.form.step on free answers that carry more than the answer (no Rasa)."""

from __future__ import annotations

import pytest

from bot.guidance.answers import match_value
from bot.guidance.form import Message, step
from bot.offices.directory import load_directory

ASKED_SITUATION = {"guidance_city": "Essen", "goal": "job", "age_group": "25_plus"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "я з України, маю захист за §24"),
        ("ru", "я из Украины, у меня защита по §24"),
        ("de", "ich komme aus der Ukraine und habe Schutz nach § 24"),
    ],
)
def test_an_answer_with_other_words_is_understood(language, text):
    assert match_value("situation", text, language) == "temporary_protection_ukraine"
    result = step(
        ASKED_SITUATION, "situation", Message(text, "inform", {}, language), load_directory()
    )
    assert result.understood and result.slots["situation"] == "temporary_protection_ukraine"
    assert [r.response for r in result.replies] == []


def test_an_answer_to_another_question_is_noted_not_silently_asked_again():
    message = Message("так, отримую Bürgergeld", "affirm", {}, "uk")
    result = step(ASKED_SITUATION, "situation", message, load_directory())
    assert result.slots == {"receives_buergergeld": "yes"}
    assert [r.response for r in result.replies] == ["utter_guidance_noted"]
    assert result.replies[0].values["value"]  # the button title the person knows
    assert result.next_slot == "situation"  # and the form asks its question again


def test_a_question_in_the_middle_of_the_form_gets_its_answer():
    message = Message("what does the integration course cost?", "ask_language_course", {}, "en")
    result = step(ASKED_SITUATION, "situation", message, load_directory())
    assert [r.response for r in result.replies] == ["utter_topic_language_course"]
    assert result.next_slot == "situation" and not result.slots


def test_nonsense_is_still_not_understood():
    message = Message("qwertz asdf", "nlu_fallback", {}, "de")
    result = step(ASKED_SITUATION, "situation", message, load_directory())
    assert [r.response for r in result.replies] == ["utter_guidance_not_understood"]
