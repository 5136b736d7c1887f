"""Topic answers in all eight languages against the trained model and action server."""

from __future__ import annotations

import json

import pytest

from bot import topics
from bot.languages import SUPPORTED
from bot.offices.directory import current_directory
from tests.helpers import texts

INTENTS = [
    "ask_language_course",
    "ask_apprenticeship",
    "ask_recognition",
    "ask_work_permit",
    "ask_job_search",
]
# One question per topic and language (full sentences, so the language is clear).
QUESTIONS = {
    "de": [
        "wie melde ich mich zum integrationskurs an",
        "wie finde ich einen ausbildungsplatz",
        "wie lasse ich mein zeugnis anerkennen",
        "darf ich in deutschland arbeiten",
        "wie finde ich eine arbeit",
    ],
    "en": [
        "how do i sign up for an integration course",
        "how do i find an apprenticeship",
        "is my diploma valid in germany",
        "can i work in germany",
        "how do i find a job",
    ],
    "ar": [
        "كيف اسجل في دورة الاندماج",
        "كيف احصل على تدريب مهني",
        "هل شهادتي معترف بها في المانيا",
        "كيف احصل على اذن عمل",
        "كيف لاقي شغل في المانيا",
    ],
    "tr": [
        "almanca kursuna yazılmak istiyorum",
        "meslek eğitimi nasıl bulurum",
        "üniversite diplomam almanyada geçerli mi",
        "çalışma izni nasıl alırım",
        "iş bulmak istiyorum",
    ],
    "uk": [
        "як записатися на інтеграційний курс",
        "як знайти місце для Ausbildung",
        "чи дійсний мій диплом у Німеччині",
        "чи дозволено мені працювати в Німеччині",
        "як знайти роботу в Німеччині",
    ],
    "ru": [
        "как записаться на интеграционный курс",
        "как найти место на Ausbildung",
        "как подтвердить диплом в Германии",
        "мне разрешено работать в Германии?",
        "как найти работу в Германии",
    ],
    "fa": [
        "چطور در کورس ادغام ثبت نام کنم",
        "چطور آموزش حرفه ای پیدا کنم",
        "چطور مدرکمو معادل سازی کنم",
        "چطور اجازه کار بگیرم",
        "چطور در آلمان کار پیدا کنم",
    ],
    "fr": [
        "comment s'inscrire à un cours d'allemand",
        "je cherche une place d'apprentissage",
        "est-ce que mon diplôme est valable en allemagne",
        "est-ce que j'ai le droit de travailler",
        "je cherche un emploi",
    ],
}


def payloads(reply):
    return [b["payload"] for b in reply.get("buttons") or []]


def assert_offers(reply):
    """The answer ends with the guidance form and a local office."""
    found = payloads(reply)
    assert "/ask_responsibility" in found
    assert any(p.startswith("/find_office{") for p in found)


@pytest.mark.parametrize("lang", SUPPORTED)
async def test_each_topic_answered_in_the_users_language_with_one_disclaimer(chat, lang):
    disclaimers = texts(lang, topics.DISCLAIMER)
    seen = []
    for intent, question in zip(INTENTS, QUESTIONS[lang]):
        replies = await chat.say(question)
        seen += [r["text"] for r in replies if r.get("text")]
        answer = replies[-1]
        assert answer["text"] in texts(lang, topics.TOPICS[intent].response), (intent, question)
        assert_offers(answer)
    assert seen[0] in disclaimers, "the first topic answer starts with the disclaimer"
    assert sum(text in disclaimers for text in seen) == 1
    assert await chat.slot("language") == lang
    assert await chat.slot(topics.DISCLAIMER_SLOT) is True


@pytest.mark.parametrize("lang", SUPPORTED)
async def test_sub_topic_buttons_open_the_sub_topic_in_the_users_language(chat, lang):
    first = await chat.say(QUESTIONS[lang][0])
    assert first[0]["text"] in texts(lang, topics.DISCLAIMER)
    for intent in INTENTS:
        topic = topics.TOPICS[intent]
        part, response = next(iter(topic.parts.items()))
        replies = await chat.say(f"/{intent}{json.dumps({topics.PART_ENTITY: part})}")
        assert [r["text"] for r in replies] == [texts(lang, response)[0]], (intent, part)
        assert_offers(replies[-1])


async def test_sub_topic_button_from_the_overview_works(chat):
    replies = await chat.say("how much does an integration course cost")
    overview = replies[-1]
    costs = next(p for p in payloads(overview) if '"costs"' in p)
    replies = await chat.say(costs)
    assert replies[0]["text"] in texts("en", "utter_topic_language_course_costs")


async def test_local_office_button_leads_to_the_office_card(chat):
    replies = await chat.say("darf ich in deutschland arbeiten")
    office = next(p for p in payloads(replies[-1]) if p.startswith("/find_office"))
    replies = await chat.say(office)
    assert replies[0]["text"] in texts("de", "utter_ask_city")
    assert await chat.slot("office_type") == "immigration_office"
    replies = await chat.say("Essen")
    expected = current_directory().find("Essen", "immigration_office")[0]
    assert expected.name in replies[0]["text"]
