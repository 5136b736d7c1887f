"""A greeting or a fallback that names an office becomes a request for it."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.office_request import OfficeRequestClassifier, as_office_request

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
    ],
)
def test_one_office_and_a_place_ask_for_that_office(intent, entities):
    assert as_office_request({"name": intent, "confidence": 0.5}, entities)
