"""The guidance form end to end: trained model + real action server, eight languages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.offices import load_directory
from bot.offices.cards import address_line, emails
from tests.helpers import texts


def joined(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def said(replies: list[dict], language: str, response: str, **values: str) -> bool:
    wanted = texts(language, response, **values)
    return any(r.get("text") in wanted for r in replies)


def assert_card(replies: list[dict], city: str, office_type: str) -> None:
    """The reply carries the directory record's name and its phone or address.

    Records with neither carry their website or e-mail; records without a phone and
    a website are followed by the nationwide services with a phone for that office type.
    """
    directory = load_directory()
    office = directory.find(city, office_type)[0]
    text = joined(replies)
    assert office.name in text
    contacts = [office.phone, address_line(office), office.website, *emails(office)]
    if any(contacts):
        assert next(c for c in contacts if c) in text
    if not office.phone and not office.website:
        assert all(o.name in text for o in directory.national_for(office_type) if o.phone)


@dataclass
class Scenario:
    language: str
    steps: list[str]  # first step starts the form
    reason: str
    city: str | None
    office_type: str
    assumed: tuple[str, ...] = ()


SCENARIOS = [
    Scenario(
        "de",
        [
            "Welches Amt ist für mich zuständig?",
            "Ich wohne in Essen",
            "Ich suche Arbeit",
            '/inform{"age_group": "skipped"}',
            "anerkannter Flüchtling",
            "ja",
        ],
        "utter_guidance_reason_job_buergergeld",
        "Essen",
        "jobcenter",
        ("utter_guidance_assumed_age",),
    ),
    Scenario(
        "en",
        [
            "which office is responsible for me?",
            "44135",
            '/inform{"goal": "work_permit"}',
            "I am 30",
            "I have a Duldung",
        ],
        "utter_guidance_reason_work_permit_immigration",
        "Dortmund",
        "immigration_office",
    ),
    Scenario(
        "ar",
        ["أي مكتب مسؤول عني؟", "دورتموند", "عمل", '/inform{"age_group": "skipped"}', "لجوء"],
        "utter_guidance_reason_asylum_agency",
        "Dortmund",
        "employment_agency",
        ("utter_guidance_assumed_age",),
    ),
    Scenario(
        "tr",
        ["benden hangi kurum sorumlu?", "Essen'de yaşıyorum", "diplomamın tanınması"],
        "utter_guidance_reason_recognition",
        "Essen",
        "recognition_counselling",
    ),
    Scenario(
        "uk",
        [
            "яка установа відповідає за мене?",
            '/inform{"guidance_city": "skipped"}',
            "дозвіл на роботу",
            "мені 22 роки",
            "я з України, §24",
        ],
        "utter_guidance_reason_work_permit_immigration",
        None,
        "immigration_office",
        ("utter_guidance_assumed_city",),
    ),
    Scenario(
        "ru",
        [
            "какое ведомство отвечает за меня?",
            "Эссен",
            "курс немецкого",
            "мне 40 лет",
            "вид на жительство",
            "да",
        ],
        "utter_guidance_reason_course_jobcenter",
        "Essen",
        "jobcenter",
    ),
    Scenario(
        "fa",
        [
            "کدام اداره مسئول من است؟",
            "برلین",
            '/inform{"goal": "job"}',
            '/inform{"age_group": "25_plus"}',
            '/inform{"situation": "skipped"}',
            '/inform{"receives_buergergeld": "no"}',
        ],
        "utter_guidance_reason_job_agency",
        "Berlin",
        "employment_agency",
        ("utter_guidance_assumed_situation",),
    ),
    Scenario(
        "fr",
        [
            "quel bureau est compétent pour moi ?",
            "Duisburg",
            "un cours d'allemand",
            "j'ai 20 ans",
            '/inform{"situation": "prefer_not_to_say"}',
            "non",
        ],
        "utter_guidance_reason_course_jmd",
        "Duisburg",
        "youth_migration_service",
    ),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.language for s in SCENARIOS])
async def test_full_form_in_every_language(chat, s: Scenario):
    first = await chat.say(s.steps[0])
    assert said(first, s.language, "utter_guidance_start"), first
    assert said(first, s.language, "utter_ask_guidance_form_guidance_city"), first
    for text in s.steps[1:-1]:
        replies = await chat.say(text)
        assert not said(replies, s.language, "utter_guidance_not_understood"), (text, replies)
    final = await chat.say(s.steps[-1])
    assert said(final, s.language, s.reason), final
    for assumption in s.assumed:
        assert said(final, s.language, assumption), final
    if s.city in load_directory().cities:
        assert_card(final, s.city, s.office_type)
    else:
        national = load_directory().national_for(s.office_type)
        assert national[0].name in joined(final)
    assert await chat.slot("language") == s.language
    assert await chat.slot("requested_slot") is None


async def test_buttons_only_with_every_question_skipped(chat):
    await chat.say("where do I have to go?")
    for slot in ("guidance_city", "goal", "age_group", "situation"):
        await chat.say(f'/inform{{"{slot}": "skipped"}}')
    final = await chat.say('/inform{"receives_buergergeld": "skipped"}')
    for response in (
        "utter_guidance_assumed_city",
        "utter_guidance_assumed_goal",
        "utter_guidance_assumed_age",
        "utter_guidance_assumed_situation",
        "utter_guidance_assumed_buergergeld",
        "utter_guidance_reason_job_agency_unknown",
    ):
        assert said(final, "en", response), (response, final)


@pytest.mark.parametrize(
    ("language", "start", "stop"),
    [
        ("en", "which office is responsible for me?", "stop"),
        ("de", "Wer ist für mich zuständig?", "abbrechen"),
        ("uk", "куди мені треба йти?", "вихід"),
        ("ar", "إلى أين يجب أن أذهب؟", "إلغاء"),
        # A goodbye in the middle of the form means "I want out" too.
        ("fr", "Quel service est responsable de moi ?", "bon, au revoir"),
        ("tr", "Hangi kurum benden sorumlu?", "görüşürüz"),
    ],
)
async def test_stop_in_any_language_and_the_conversation_goes_on(chat, language, start, stop):
    await chat.say(start)
    replies = await chat.say(stop)
    assert said(replies, language, "utter_guidance_stopped"), replies
    assert await chat.slot("requested_slot") is None
    replies = await chat.say("/greet")
    assert said(replies, language, "utter_greet"), replies


@pytest.mark.parametrize(
    ("language", "start", "answer", "slot", "value"),
    [
        # The classifier reads these as stop or goodbye; they answer the question.
        ("en", "which office is responsible for me?", "I quit my job", "goal", "job"),
        (
            "en",
            "which office is responsible for me?",
            "my German is not good enough",
            "goal",
            "german_course",
        ),
        (
            "tr",
            "Hangi kurum benden sorumlu?",
            "geçen yıl çalışmayı bıraktım, iş lazım",
            "goal",
            "job",
        ),
    ],
)
async def test_an_answer_that_sounds_like_stopping_is_an_answer(
    chat, language, start, answer, slot, value
):
    await chat.say(start)
    await chat.say("Essen")
    replies = await chat.say(answer)
    assert not said(replies, language, "utter_guidance_stopped"), replies
    assert await chat.slot(slot) == value
    assert await chat.slot("requested_slot") not in (None, slot)


async def test_delete_my_data_in_the_middle_of_the_form_is_honoured(chat):
    await chat.say("Welches Amt ist für mich zuständig?")
    await chat.say("Essen")
    replies = await chat.say("/delete_my_data")
    assert said(replies, "de", "utter_confirm_delete_my_data"), replies
    replies = await chat.say("/affirm")
    assert said(replies, "de", "utter_data_deleted"), replies


async def test_asking_for_a_person_in_the_middle_of_the_form_is_answered(chat):
    await chat.say("which office is responsible for me?")
    await chat.say("Bochum")
    replies = await chat.say("/request_human")
    assert said(replies, "en", "utter_request_human"), replies
    replies = await chat.say("/greet")
    assert said(replies, "en", "utter_greet"), replies


async def test_city_change_mid_form_and_contradiction(chat):
    await chat.say("Welches Amt ist für mich zuständig?")
    await chat.say("Essen")
    replies = await chat.say("Ich wohne jetzt in Bochum")
    assert said(replies, "de", "utter_guidance_city_changed", city="Bochum"), replies
    await chat.say('/inform{"goal": "job"}')
    await chat.say('/inform{"age_group": "25_plus"}')
    replies = await chat.say("ich bin 19 Jahre alt")
    assert said(replies, "de", "utter_guidance_changed", value="Unter 25"), replies
    await chat.say("Duldung")
    # Duldung: no Bürgergeld question; under 25 in Bochum adds the Jugendberufsagentur.
    final = await chat.slot("requested_slot")
    assert final is None


async def test_bad_postcodes_and_unknown_places_get_kind_replies(chat):
    await chat.say("which office is responsible for me?")
    replies = await chat.say("4513")
    assert said(replies, "en", "utter_guidance_postcode_invalid", postal_code="4513"), replies
    replies = await chat.say("45a27")
    assert said(replies, "en", "utter_guidance_postcode_invalid", postal_code="45a27"), replies
    replies = await chat.say("Kleinkleckersdorf")
    assert said(replies, "en", "utter_guidance_city_unknown"), replies
    assert await chat.slot("requested_slot") == "guidance_city"
    replies = await chat.say("45127")
    assert said(replies, "en", "utter_ask_guidance_form_goal"), replies


@pytest.mark.parametrize(
    ("language", "text", "city", "office_type"),
    [
        ("de", "Wo ist das Jobcenter in Essen?", "Essen", "jobcenter"),
        ("en", "where is the immigration office in Bochum", "Bochum", "immigration_office"),
        ("ar", "أين الجوب سنتر في دورتموند؟", "Dortmund", "jobcenter"),
        ("tr", "Essen'de Jobcenter nerede?", "Essen", "jobcenter"),
        ("uk", "Де знаходиться джобцентр в Ессені?", "Essen", "jobcenter"),
        ("ru", "Где джобцентр в Эссене?", "Essen", "jobcenter"),
        ("fa", "جاب سنتر در دورتموند کجاست؟", "Dortmund", "jobcenter"),
        ("fr", "Où est le jobcenter à Duisburg ?", "Duisburg", "jobcenter"),
    ],
)
async def test_office_by_city_name_in_each_language(chat, language, text, city, office_type):
    replies = await chat.say(text)
    assert_card(replies, city, office_type)
    assert await chat.slot("language") == language


async def test_office_by_postcode_and_outside_the_twelve(chat):
    await chat.say("Ich suche das Jobcenter")
    replies = await chat.say("47051")
    assert_card(replies, "Duisburg", "jobcenter")
    replies = await chat.say("Wo ist das Jobcenter in Berlin?")
    assert said(replies, "de", "utter_city_not_served", city="Berlin"), replies
    national = load_directory().national_for("jobcenter")
    assert all(o.name in joined(replies) for o in national)
