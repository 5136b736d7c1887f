"""What people actually type: transliterations, typos, mixed languages, emoji, digits.

Each message gets the right answer or a kind reply; never silence, never a bare
repetition of the bot's previous question.
"""

from __future__ import annotations

import pytest

from bot.offices import load_directory
from bot.responses import office_type_text

OFFICE_QUESTIONS = [
    # Arabizi, Finglish, transliterated Russian: Latin letters for another language
    ("wein el jobcenter fi essen", "Essen", "jobcenter"),
    ("jobcenter essen kojast", "Essen", "jobcenter"),
    ("gde nahoditsya dzhobcentr v essene", "Essen", "jobcenter"),
    ("edare kar dar bochum kojast", "Bochum", "employment_agency"),
    # typos of a city and of an office name
    ("Wo ist das Jobcenter in Dortmnd?", "Dortmund", "jobcenter"),
    ("Jugendberufsagentr Dortmund adresse", "Dortmund", "youth_employment_agency"),
    # two languages in one message, and a greeting before the question
    ("Hallo, где джобцентр в Essen?", "Essen", "jobcenter"),
    ("Guten Tag, wo ist die Ausländerbehörde in Hagen?", "Hagen", "immigration_office"),
    ("Merhaba, Bochum'daki Jobcenter'in adresi nedir?", "Bochum", "jobcenter"),
    # an abbreviation typed in capitals, with the city
    ("Adresse vom KI in Gelsenkirchen", "Gelsenkirchen", "integration_center"),
    # the office described by what it does (data/gazetteer/office_types.yml `tasks`)
    ("Who issues residence permits in Hagen?", "Hagen", "immigration_office"),
    ("Куда обращаться за бюргергельдом в Бохуме?", "Bochum", "jobcenter"),
    ("تجديد الإقامة بدورتموند وين؟", "Dortmund", "immigration_office"),
    ("Diplomanerkennung in Essen, wohin?", "Essen", "recognition_counselling"),
]


@pytest.mark.parametrize(("text", "city", "office_type"), OFFICE_QUESTIONS)
async def test_office_question_in_unusual_form_gets_the_card(chat, text, city, office_type):
    replies = await chat.say(text)
    office = load_directory().find(city, office_type)[0]
    shown = "\n".join(r.get("text") or "" for r in replies)
    assert office.name in shown, shown


async def test_a_residence_permit_in_a_question_about_work_is_no_request_for_its_office(chat):
    # The permit describes the person; the Ausländerbehörde is not what they ask for.
    replies = await chat.say("I have a residence permit and want to work in Essen, where do I go?")
    shown = "\n".join(r.get("text") or "" for r in replies)
    assert replies
    assert load_directory().find("Essen", "immigration_office")[0].name not in shown, shown


@pytest.mark.parametrize("text", ["👍", "🙏🙏🙏", "12345", "???", "ok", "…", "😀 45127"])
async def test_emoji_digits_and_punctuation_get_a_kind_reply(chat, text):
    replies = await chat.say(text)
    assert replies and replies[0].get("text"), replies


async def test_no_bare_repetition_of_a_question(chat):
    """After "which city?", an answer the bot cannot use gets more than the same question."""
    first = await chat.say("Wo ist das Jobcenter?")
    again = await chat.say("🙂")
    assert again, "no reply"
    assert [r.get("text") for r in again] != [first[-1].get("text")], again


#: Typed in Latin letters, read in the writer's own script: the card comes in that language.
TRANSLITERATED = [
    ("shu el 3enwan taba3 el jobcenter b dortmund", "ar", "Dortmund", "jobcenter"),
    ("salam, adrese jobcenter dar dortmund chie?", "fa", "Dortmund", "jobcenter"),
    ("pidkazhit, de dzhobtsentr u Dortmundi", "uk", "Dortmund", "jobcenter"),
    ("podskazhite, gde dzhobcentr v Dortmunde", "ru", "Dortmund", "jobcenter"),
]


@pytest.mark.parametrize(("text", "lang", "city", "office_type"), TRANSLITERATED)
async def test_transliterated_question_is_answered_in_the_writers_language(
    chat, text, lang, city, office_type
):
    replies = await chat.say(text)
    office = load_directory().find(city, office_type)[0]
    shown = "\n".join(r.get("text") or "" for r in replies)
    assert office.name in shown, shown
    assert office_type_text(lang, office_type)["description"] in shown, shown
