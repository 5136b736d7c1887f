"""The rasa-sdk actions, called the way the action server calls them."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionChooseLanguage, ActionResolveLanguage
from actions.offices import ActionFindOffice, ActionInform, ActionRequestHuman


def tracker(slots=None, intent="greet", entities=(), language=None, metadata=None):
    latest = {"intent": {"name": intent}, "entities": list(entities), "text": "x"}
    if language is not None:
        latest["language"] = language
    events = [{"event": "user", "text": "x", "parse_data": latest, "metadata": metadata or {}}]
    return Tracker("u1", slots or {}, latest, events, False, None, {}, "action_listen")


def test_resolve_language_from_text_decision():
    decision = {"code": "ar", "confidence": 0.97, "source": "text", "evidence": 20}
    events = ActionResolveLanguage().run(CollectingDispatcher(), tracker(language=decision), {})
    assert events == [SlotSet("language", "ar"), SlotSet("language_source", "text")]


def test_resolve_language_from_payload_metadata():
    events = ActionResolveLanguage().run(
        CollectingDispatcher(), tracker(metadata={"language": "fa-AF"}), {}
    )
    assert events == [SlotSet("language", "fa"), SlotSet("language_source", "metadata")]


def test_resolve_language_explicit_choice():
    t = tracker(
        {"language": "de", "language_source": "text"},
        intent="choose_language",
        entities=[{"entity": "language", "value": "fr"}],
    )
    assert ActionResolveLanguage().run(CollectingDispatcher(), t, {}) == [
        SlotSet("language", "fr"),
        SlotSet("language_source", "choice"),
    ]


def test_choose_language_confirms_or_shows_menu():
    d = CollectingDispatcher()
    ActionChooseLanguage().run(
        d,
        tracker(
            {"language": "fr"},
            intent="choose_language",
            entities=[{"entity": "language", "value": "fr"}],
        ),
        {},
    )
    assert d.messages[0]["response"] == "utter_language_set"
    d = CollectingDispatcher()
    ActionChooseLanguage().run(d, tracker({"language": "fr"}, intent="choose_language"), {})
    assert d.messages[0]["response"] == "utter_choose_language"


def test_find_office_sends_card_with_structured_data():
    d = CollectingDispatcher()
    events = ActionFindOffice().run(
        d, tracker({"language": "ar", "city": "Essen", "office_type": "jobcenter"}), {}
    )
    assert d.messages[0]["response"] == "utter_office_card"
    assert d.messages[0]["custom"]["type"] == "office_card"
    assert events == [SlotSet("city", "Essen")]


def test_inform_with_postcode_continues_the_search():
    d = CollectingDispatcher()
    events = ActionInform().run(
        d,
        tracker(
            {"language": "de", "office_type": "immigration_office", "city": "Essen"},
            intent="inform",
            entities=[{"entity": "postal_code", "value": "44135"}],
        ),
        {},
    )
    assert SlotSet("city", "Dortmund") in events
    assert d.messages[0]["response"] == "utter_office_card"


def test_inform_without_place_offers_topics():
    d = CollectingDispatcher()
    assert ActionInform().run(d, tracker(intent="inform"), {}) == []
    assert d.messages[0]["response"] == "utter_inform_thanks"


def test_request_human_lists_nationwide_services_and_local_route():
    d = CollectingDispatcher()
    ActionRequestHuman().run(d, tracker({"language": "uk"}), {})
    responses = [m["response"] for m in d.messages]
    assert responses[0] == "utter_request_human"
    assert responses[-1] == "utter_request_human_local"
    assert responses.count("utter_office_card") >= 2


def test_find_office_a_newly_named_city_beats_a_remembered_postcode():
    t = tracker(
        {"city": "Berlin", "postal_code": "47051", "office_type": "jobcenter", "language": "de"},
        intent="find_office",
        entities=[{"entity": "city", "value": "Berlin"}],
    )
    d = CollectingDispatcher()
    ActionFindOffice().run(d, t, {})
    assert d.messages[0]["response"] == "utter_city_not_served"
