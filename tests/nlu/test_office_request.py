"""A greeting or a fallback that names an office becomes a request for it."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.office_request import OfficeRequestClassifier, as_office_request

OFFICE = {"entity": "office_type", "value": "jobcenter", "start": 0, "end": 9}
CITY = {"entity": "city", "value": "Essen", "start": 13, "end": 18}


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
    ],
)
def test_other_messages_keep_their_intent(intent, entities):
    assert not as_office_request({"name": intent, "confidence": 0.9}, entities)
