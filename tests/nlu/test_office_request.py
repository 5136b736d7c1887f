"""A greeting or a fallback that names an office becomes a request for it."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.office_request import OfficeRequestClassifier, as_office_request, office_from_task

OFFICE = {"entity": "office_type", "value": "jobcenter", "start": 0, "end": 9}
CITY = {"entity": "city", "value": "Essen", "start": 13, "end": 18}
POSTCODE = {"entity": "postal_code", "value": "45127", "start": 20, "end": 25}
RECOGNITION = {"entity": "office_type", "value": "recognition_counselling", "start": 0, "end": 9}
IMMIGRATION = {"entity": "office_type", "value": "immigration_office", "start": 0, "end": 9}


@pytest.mark.parametrize("intent", ["greet", "thank", "help", "nlu_fallback"])
def test_request_like_intents_with_an_office_become_find_office(intent):
    message = Message(
        data={
            "text": "Hallo, wo ist das Jobcenter in Essen?",
            "intent": {"name": intent, "confidence": 0.61},
            "intent_ranking": [
                {"name": intent, "confidence": 0.61},
                {"name": "find_office", "confidence": 0.3},
            ],
            "entities": [OFFICE, CITY],
        }
    )
    [out] = OfficeRequestClassifier().process([message])
    assert out.get("intent") == {"name": "find_office", "confidence": 0.61}
    ranking = out.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["find_office", intent]


@pytest.mark.parametrize(
    ("intent", "entities"),
    [
        ("greet", []),  # a plain hello stays a hello
        ("greet", [CITY]),  # "Hallo aus Essen"
        ("goodbye", [OFFICE]),  # "danke, ich gehe jetzt zum Jobcenter"
        ("ask_responsibility", [OFFICE]),
        ("inform", [OFFICE]),  # answering "which office?" stays an answer
        ("ask_recognition", [RECOGNITION]),  # "can the recognition counselling help me?"
        ("ask_recognition", [OFFICE, CITY]),  # another office than the topic's own
        ("ask_work_permit", [CITY]),  # "may I work in Essen?"
        ("ask_job_search", [RECOGNITION, CITY]),  # another office than the topic's own
        ("ask_responsibility", [OFFICE, IMMIGRATION, CITY]),  # "Jobcenter or Ausländerbehörde?"
        ("out_of_scope", [OFFICE]),  # no place: "the Jobcenter is so slow"
        ("deny", [OFFICE, CITY]),  # "no, not the Jobcenter in Essen"
        ("goodbye", [OFFICE, CITY]),  # "bye, I'm off to the Jobcenter in Essen"
        ("request_human", [OFFICE]),  # no place: "can I talk to someone at the Jobcenter?"
    ],
)
def test_other_messages_keep_their_intent(intent, entities):
    assert not as_office_request({"name": intent, "confidence": 0.9}, entities)


@pytest.mark.parametrize(
    ("intent", "entities"),
    [
        ("ask_recognition", [RECOGNITION, CITY]),  # "Anerkennungsberatung in Essen, wo?"
        ("ask_recognition", [RECOGNITION, POSTCODE]),
        ("ask_work_permit", [IMMIGRATION, CITY]),  # "Ausländerbehörde Essen Arbeitserlaubnis"
        ("ask_job_search", [OFFICE, CITY]),  # "Jobcenter Essen, ich suche Arbeit, wo?"
    ],
)
def test_a_topic_question_naming_its_office_and_a_place_asks_for_the_office(intent, entities):
    assert as_office_request({"name": intent, "confidence": 0.7}, entities)


@pytest.mark.parametrize(
    ("intent", "entities"),
    [
        ("ask_responsibility", [OFFICE, CITY]),  # "which Jobcenter is responsible in Essen?"
        ("inform", [OFFICE, POSTCODE]),  # "Jobcenter 45127"
        ("out_of_scope", [IMMIGRATION, CITY]),  # "Ausländerbehörde Essen" read as off-topic
        ("request_human", [OFFICE, CITY]),  # "I want to talk to someone at the JC Essen"
        ("affirm", [OFFICE, CITY]),  # "wo is dat JC in Gelsen?", "yes, Jobcenter Essen"
        ("stop", [OFFICE, POSTCODE]),  # "stop, I just need the Jobcenter 45127"
    ],
)
def test_one_office_and_a_place_ask_for_that_office(intent, entities):
    assert as_office_request({"name": intent, "confidence": 0.5}, entities)


TASK = {"entity": "office_task", "value": "immigration_office", "start": 0, "end": 17}
OTHER_TASK = {"entity": "office_task", "value": "jobcenter", "start": 30, "end": 40}


def _processed(
    intent: str,
    entities: list[dict],
    text: str = "residence permit ... Essen",
    language: str | None = None,
    confidence: float = 0.55,
) -> Message:
    data = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": entities,
    }
    message = Message(data={**data, "language": {"code": language}} if language else data)
    [out] = OfficeRequestClassifier().process([message])
    return out


def test_a_responsibility_question_for_one_office_and_a_place_keeps_its_intent_and_is_marked():
    # "Which Jobcenter is responsible for me in Essen?": the card answers it (rule on the
    # office_request entity), but the intent stays what the person asked.
    out = _processed("ask_responsibility", [OFFICE, CITY])
    assert out.get("intent") == {"name": "ask_responsibility", "confidence": 0.55}
    marks = [e for e in out.get("entities") if e["entity"] == "office_request"]
    assert [(m["value"], m["start"], m["end"]) for m in marks] == [("jobcenter", 0, 9)]


@pytest.mark.parametrize(
    "entities",
    [
        [OFFICE, IMMIGRATION, CITY],  # "Jobcenter or Ausländerbehörde in Essen?": the form
        [OFFICE],  # no place: "is the Jobcenter responsible for me?"
        [CITY],  # "who is responsible for me in Essen?"
    ],
)
def test_other_responsibility_questions_are_not_marked(entities):
    out = _processed("ask_responsibility", entities)
    assert out.get("intent")["name"] == "ask_responsibility"
    assert not [e for e in out.get("entities") if e["entity"] == "office_request"]


@pytest.mark.parametrize("intent", ["ask_responsibility", "out_of_scope", "greet", "find_office"])
def test_a_task_and_a_place_name_the_office(intent):
    # "Who issues residence permits in Essen?"
    out = _processed(intent, [TASK, CITY])
    expected = "ask_responsibility" if intent == "ask_responsibility" else "find_office"
    assert out.get("intent")["name"] == expected
    offices = [e for e in out.get("entities") if e["entity"] == "office_type"]
    assert [o["value"] for o in offices] == ["immigration_office"]
    assert (offices[0]["start"], offices[0]["end"]) == (TASK["start"], TASK["end"])
    assert not [e for e in out.get("entities") if e["entity"] == "office_task"]


def test_an_office_request_with_a_task_but_no_place_gets_the_office_type():
    # "Where do I apply for Bürgergeld?" -> the bot asks for the city of the Jobcenter.
    out = _processed("find_office", [{**OTHER_TASK, "start": 0}])
    assert [e["value"] for e in out.get("entities")] == ["jobcenter"]


@pytest.mark.parametrize(
    ("intent", "entities"),
    [
        ("ask_responsibility", [TASK]),  # no place: "who extends residence permits?"
        ("inform", [TASK, CITY]),  # "I have a Duldung and live in Oberhausen": a status
        ("ask_responsibility", [TASK, OTHER_TASK, CITY]),  # two offices' tasks: ask which
    ],
)
def test_a_task_without_the_rest_names_no_office(intent, entities):
    out = _processed(intent, entities)
    assert out.get("intent")["name"] == intent
    assert [e["entity"] for e in out.get("entities")] == [
        e["entity"] for e in entities if e["entity"] != "office_task"
    ]


def test_a_topic_question_with_its_own_office_task_and_a_place_asks_for_the_office():
    # "Where can I get my diploma recognised in Essen?" read as the recognition topic.
    recognition = {**TASK, "value": "recognition_counselling"}
    out = _processed("ask_recognition", [recognition, CITY])
    assert out.get("intent")["name"] == "find_office"
    assert sorted(e["value"] for e in out.get("entities")) == ["Essen", "recognition_counselling"]
    # Another office's task leaves the topic question alone.
    assert _processed("ask_recognition", [OTHER_TASK, CITY]).get("intent")["name"] == (
        "ask_recognition"
    )


def test_a_named_office_wins_over_a_task():
    # "Jobcenter or Ausländerbehörde for my residence permit in Essen?" names its office.
    out = _processed("ask_responsibility", [OFFICE, TASK, CITY])
    assert [e["value"] for e in out.get("entities") if e["entity"] == "office_type"] == [
        "jobcenter"
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I have a residence permit and want to work in Essen, where do I go?", "en"),
        ("j'ai un titre de séjour et je veux travailler à Essen, je vais où ?", "fr"),
        ("у меня вид на жительство, ищу работу в Эссене, куда идти?", "ru"),
        ("may I work in Essen with my residence permit?", "en"),
    ],
)
@pytest.mark.parametrize("intent", ["ask_responsibility", "ask_work_permit"])
def test_a_residence_permit_in_a_question_about_work_describes_the_person(text, language, intent):
    entities = [TASK, CITY]
    assert office_from_task({"name": intent}, entities, text, language) is None


def test_a_residence_permit_question_without_work_names_the_immigration_office():
    implied = office_from_task(
        {"name": "ask_responsibility"}, [TASK, CITY], "Who issues residence permits in Essen?", "en"
    )
    assert implied and implied["value"] == "immigration_office"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Куда подавать на бюргергельд в Бохуме?", "ru"),
        ("куда подавать на бюргергельд в Бохуме", "ru"),  # no question mark
        ("wo beantrage ich Bürgergeld in Essen", "de"),
        ("تجديد الإقامة بدورتموند وين", "ar"),
        ("Bürgergeld in Essen?", "de"),
    ],
)
def test_a_question_read_as_a_statement_names_the_office_of_its_task(text, language):
    implied = office_from_task({"name": "inform"}, [OTHER_TASK, CITY], text, language)
    assert implied and implied["value"] == "jobcenter"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ich bekomme Bürgergeld und wohne in Essen", "de"),
        ("я получаю бюргергельд как беженка, живу в Бохуме", "ru"),
        ("je touche le revenu citoyen à Essen", "fr"),
    ],
)
def test_a_statement_with_a_task_and_a_place_stays_a_statement(text, language):
    assert office_from_task({"name": "inform"}, [OTHER_TASK, CITY], text, language) is None


@pytest.mark.parametrize(
    "intent", ["find_office", "greet", "nlu_fallback", "goodbye", "out_of_scope"]
)
def test_two_offices_with_an_or_ask_which_is_responsible(intent):
    # "Jobcenter oder Ausländerbehörde in Essen?": the person asks which door, so the
    # guidance questions start (no office_request mark), not the first office's card.
    entities = [OFFICE, {**IMMIGRATION, "start": 15, "end": 31}, CITY]
    text = "Jobcenter oder Ausländerbehörde in Essen?"
    out = _processed(intent, entities, text, "de", confidence=0.8)
    assert out.get("intent") == {"name": "ask_responsibility", "confidence": 0.8}
    assert out.get("intent_ranking")[0]["name"] == "ask_responsibility"
    assert not [e for e in out.get("entities") if e["entity"] == "office_request"]


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("Jobcenter und Ausländerbehörde in Essen", [OFFICE, IMMIGRATION, CITY]),  # both
        ("Jobcenter Essen oder Bochum?", [OFFICE, CITY]),  # one office, two places
    ],
)
def test_other_office_requests_stay_requests(text, entities):
    # Both offices' cards, or one office's in one of two places.
    out = _processed("find_office", entities, text, "de")
    assert out.get("intent")["name"] == "find_office"


@pytest.mark.parametrize("intent", ["stop", "deny", "inform", "ask_work_permit"])
def test_a_choice_between_offices_does_not_override_other_intents(intent):
    # "stop, Jobcenter oder Agentur ist mir egal", an answer in the form, a rule question
    entities = [OFFICE, {**IMMIGRATION, "start": 15, "end": 31}]
    out = _processed(intent, entities, "Jobcenter oder Ausländerbehörde", "de")
    assert out.get("intent")["name"] == intent
