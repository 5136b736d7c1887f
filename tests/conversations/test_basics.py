"""Conversation basics in all eight languages, asserting reply language and content."""

from __future__ import annotations

import pytest

from bot.languages import SUPPORTED
from tests.helpers import texts

GREETINGS = {
    "de": "Hallo, guten Tag",
    "en": "Hello, good morning",
    "ar": "مرحبا، السلام عليكم",
    "tr": "Merhaba, iyi günler",
    "uk": "Привіт, добрий день",
    "ru": "Здравствуйте, добрый день",
    "fa": "سلام، روز بخیر",
    "fr": "Bonjour, bonne journée",
}
HELP = {
    "de": "was kannst du alles für mich tun",
    "en": "what can you do for me",
    "ar": "ماذا يمكنك أن تفعل لي",
    "tr": "bana nasıl yardım edebilirsin",
    "uk": "що ти вмієш робити",
    "ru": "что ты умеешь делать",
    "fa": "چه کارهایی میتونی برام انجام بدی",
    "fr": "qu'est-ce que tu peux faire pour moi",
}
COURSE = {
    "de": "wo kann ich einen deutschkurs machen",
    "en": "where can i take a german course",
    "ar": "أين يمكنني أن أتعلم اللغة الألمانية",
    "tr": "almanca kursuna nasıl kayıt olabilirim",
    "uk": "де можна пройти курс німецької мови",
    "ru": "где можно пройти курс немецкого языка",
    "fa": "کجا میتونم کلاس زبان آلمانی ثبت نام کنم",
    "fr": "où puis-je suivre un cours d'allemand",
}


@pytest.mark.parametrize("lang", SUPPORTED)
async def test_greeting_is_answered_in_the_users_language(chat, lang):
    replies = await chat.say(GREETINGS[lang])
    assert replies[0]["text"] in texts(lang, "utter_greet")
    assert len(replies[0]["buttons"]) == 7
    assert await chat.slot("language") == lang


@pytest.mark.parametrize("lang", SUPPORTED)
async def test_help_lists_topics_in_the_users_language(chat, lang):
    replies = await chat.say(HELP[lang])
    assert replies[0]["text"] in texts(lang, "utter_help")


@pytest.mark.parametrize("lang", SUPPORTED)
async def test_language_course_first_answer(chat, lang):
    replies = await chat.say(COURSE[lang])
    assert replies[0]["text"] in texts(lang, "utter_topic_disclaimer")
    assert replies[1]["text"] in texts(lang, "utter_topic_language_course")


async def test_language_sticks_on_neutral_messages(chat):
    await chat.say("مرحبا، أبحث عن عمل في مدينتي")
    assert await chat.slot("language") == "ar"
    for neutral in ("ok", "Essen", "45127", "👍"):
        await chat.say(neutral)
        assert await chat.slot("language") == "ar", neutral


async def test_explicit_choice_by_button_payload(chat):
    await chat.say("hallo")
    replies = await chat.say('/choose_language{"language": "uk"}')
    assert replies[0]["text"] in texts("uk", "utter_language_set")
    assert await chat.slot("language_source") == "choice"


async def test_explicit_choice_by_phrase(chat):
    await chat.say("Guten Tag, ich brauche Hilfe")
    replies = await chat.say("English please")
    assert replies[0]["text"] in texts("en", "utter_language_set")
    replies = await chat.say("danke")
    assert await chat.slot("language") == "en"


async def test_language_menu_when_no_language_named(chat):
    await chat.say("hello there, good morning")
    replies = await chat.say("/choose_language")
    assert replies[0]["text"] in texts("en", "utter_choose_language")
    assert [b["title"] for b in replies[0]["buttons"]] == [
        "Deutsch",
        "English",
        "العربية",
        "Türkçe",
        "Українська",
        "Русский",
        "فارسی / دری",
        "Français",
    ]


async def test_channel_hint_sets_language_for_neutral_first_message(chat):
    replies = await chat.say("/greet", language="tr-TR")
    assert replies[0]["text"] in texts("tr", "utter_greet")
    assert await chat.slot("language_source") == "metadata"


async def test_unsupported_language_gets_bilingual_menu(chat):
    replies = await chat.say("hola, necesito ayuda para encontrar trabajo en Essen")
    assert replies[0]["text"] in texts("en", "utter_unsupported_language")
    assert len(replies[0]["buttons"]) == 8


@pytest.mark.parametrize(
    "lang,text", [("de", "wie ist das wetter morgen"), ("en", "tell me a joke about football")]
)
async def test_out_of_scope(chat, lang, text):
    replies = await chat.say(text)
    assert replies[0]["text"] in texts(lang, "utter_out_of_scope")


async def test_bot_challenge_and_goodbye(chat):
    replies = await chat.say("bist du ein mensch oder ein roboter?")
    assert replies[0]["text"] in texts("de", "utter_iamabot")
    replies = await chat.say("tschüss, bis bald")
    assert replies[0]["text"] in texts("de", "utter_goodbye")


async def test_gibberish_gets_fallback_with_topics_never_silence(chat):
    await chat.say("Hallo, guten Morgen")
    replies = await chat.say("xqzv plorf wubb")
    assert replies, "the bot must never stay silent"
    assert replies[0]["text"] in (texts("de", "utter_default") + texts("de", "utter_out_of_scope"))
    assert replies[0]["buttons"]
