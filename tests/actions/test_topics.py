"""Topic answers: bot/topics.py rule by rule, the action, and the response data."""

from __future__ import annotations

import json
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import ActionTopicAnswer
from bot import topics
from bot.languages import SUPPORTED
from bot.offices.directory import current_directory, load_directory
from bot.responses import language_file

RESPONSIBILITY = "/ask_responsibility"
FIND_OFFICE = re.compile(r"^/find_office(\{.*\})$")
# Every answer names its official source; these are the sites docs/topic-sources.md cites.
OFFICIAL_SITES = (
    "www.bamf.de",
    "www.arbeitsagentur.de",
    "www.anerkennung-in-deutschland.de",
    "www.netzwerk-iq.de",
    "www.gesetze-im-internet.de",
)
ANSWERS = [name for name in topics.response_names() if name != topics.DISCLAIMER]


def tracker(intent, slots=None, entities=()):
    latest = {"intent": {"name": intent}, "entities": list(entities), "text": "x"}
    events = [{"event": "user", "text": "x", "parse_data": latest}]
    return Tracker("u1", slots or {}, latest, events, False, None, {}, "action_listen")


def names(outcome):
    return [reply.response for reply in outcome.replies]


# --- bot/topics.py -----------------------------------------------------------


@pytest.mark.parametrize("intent", sorted(topics.TOPICS))
def test_first_topic_answer_starts_with_the_disclaimer_and_remembers_it(intent):
    outcome = topics.answer(intent, None, disclaimer_shown=False)
    assert names(outcome) == [topics.DISCLAIMER, topics.TOPICS[intent].response]
    assert outcome.slots == {topics.DISCLAIMER_SLOT: True}


@pytest.mark.parametrize("intent", sorted(topics.TOPICS))
def test_later_topic_answers_have_no_disclaimer(intent):
    outcome = topics.answer(intent, None, disclaimer_shown=True)
    assert names(outcome) == [topics.TOPICS[intent].response]
    assert outcome.slots == {}


@pytest.mark.parametrize(
    "intent,part",
    [(intent, part) for intent, topic in sorted(topics.TOPICS.items()) for part in topic.parts],
)
def test_each_sub_topic_has_its_own_answer(intent, part):
    outcome = topics.answer(intent, part, disclaimer_shown=True)
    assert names(outcome) == [topics.TOPICS[intent].parts[part]]


def test_sub_topic_name_is_normalised():
    outcome = topics.answer("ask_language_course", "  Costs ", disclaimer_shown=True)
    assert names(outcome) == ["utter_topic_language_course_costs"]


@pytest.mark.parametrize("part", ["nonsense", "", 42, None, ["costs"], "cv"])
def test_unknown_or_foreign_sub_topic_falls_back_to_the_overview(part):
    # "cv" belongs to job search, not to language courses.
    outcome = topics.answer("ask_language_course", part, disclaimer_shown=True)
    assert names(outcome) == ["utter_topic_language_course"]


@pytest.mark.parametrize("intent", [None, "", "greet", "find_office"])
def test_non_topic_intent_gets_the_help_menu_without_disclaimer(intent):
    outcome = topics.answer(intent, None, disclaimer_shown=False)
    assert names(outcome) == [topics.FALLBACK]
    assert outcome.slots == {}


def test_response_names_are_unique_and_complete():
    all_names = topics.response_names()
    assert len(all_names) == len(set(all_names))
    assert all_names[0] == topics.DISCLAIMER
    assert len(all_names) == 1 + sum(1 + len(t.parts) for t in topics.TOPICS.values())


# --- actions/topics.py -------------------------------------------------------


def test_action_sends_disclaimer_once_and_sets_the_slot():
    d = CollectingDispatcher()
    events = ActionTopicAnswer().run(d, tracker("ask_recognition"), {})
    assert [m["response"] for m in d.messages] == [topics.DISCLAIMER, "utter_topic_recognition"]
    assert events == [SlotSet(topics.DISCLAIMER_SLOT, True)]

    d = CollectingDispatcher()
    events = ActionTopicAnswer().run(
        d, tracker("ask_work_permit", {topics.DISCLAIMER_SLOT: True}), {}
    )
    assert [m["response"] for m in d.messages] == ["utter_topic_work_permit"]
    assert events == []


def test_action_reads_the_sub_topic_from_the_payload_entity():
    d = CollectingDispatcher()
    t = tracker(
        "ask_apprenticeship",
        {topics.DISCLAIMER_SLOT: True},
        entities=[{"entity": topics.PART_ENTITY, "value": "duldung"}],
    )
    ActionTopicAnswer().run(d, t, {})
    assert [m["response"] for m in d.messages] == ["utter_topic_apprenticeship_duldung"]


# --- data/responses/topics/<lang>.yml ----------------------------------------


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_topic_response_exists_in_every_language(lang):
    responses = language_file(lang)["responses"]
    missing = [name for name in topics.response_names() if name not in responses]
    assert missing == []


@pytest.mark.parametrize("lang", SUPPORTED)
@pytest.mark.parametrize("name", ANSWERS)
def test_every_answer_links_an_official_source(lang, name):
    text = language_file(lang)["responses"][name][0]["text"]
    assert any(site in text for site in OFFICIAL_SITES), f"{lang} {name}"


@pytest.mark.parametrize("lang", SUPPORTED)
@pytest.mark.parametrize("name", ANSWERS)
def test_every_answer_ends_with_the_guidance_form_and_a_local_office(lang, name):
    buttons = language_file(lang)["responses"][name][0]["buttons"]
    payloads = [b["payload"] for b in buttons]
    assert RESPONSIBILITY in payloads
    offices = [FIND_OFFICE.match(p) for p in payloads if p.startswith("/find_office")]
    assert offices, f"{lang} {name}: no local office button"
    # The offers come last, after any sub-topic buttons.
    first_offer = payloads.index(RESPONSIBILITY)
    assert all(p == RESPONSIBILITY or p.startswith("/find_office") for p in payloads[first_offer:])
    directory = current_directory()
    types = {t for city in directory.cities for t in directory.types_in(city)}
    for match in offices:
        assert json.loads(match.group(1))["office_type"] in types


@pytest.mark.parametrize("lang", SUPPORTED)
def test_buttons_are_the_same_in_every_language(lang):
    """Same payloads in the same order: only titles are translated."""
    reference = language_file("en")["responses"]
    responses = language_file(lang)["responses"]
    for name in topics.response_names():
        ours = [b["payload"] for b in responses[name][0].get("buttons", [])]
        theirs = [b["payload"] for b in reference[name][0].get("buttons", [])]
        assert ours == theirs, f"{lang} {name}"


@pytest.mark.parametrize("intent,topic", sorted(topics.TOPICS.items()))
def test_sub_topic_buttons_name_existing_sub_topics(intent, topic):
    for lang in SUPPORTED:
        for button in language_file(lang)["responses"][topic.response][0]["buttons"]:
            payload = button["payload"]
            if payload.startswith(f"/{intent}{{"):
                part = json.loads(payload[len(intent) + 1 :])[topics.PART_ENTITY]
                assert part in topic.parts, f"{lang}: {payload}"


def test_a_course_question_with_a_place_gets_the_course_search_for_it():
    directory = load_directory()
    outcome = topics.answer("ask_language_course", None, True, city="Bochum", directory=directory)
    local = [r for r in outcome.replies if r.response == "utter_course_search_city"]
    assert local and local[0].values == {"city": "Bochum", "url": "https://bamf-navi.bamf.de/"}
    # The address is the BAMF-NAvI record's, which names the site as the course search.
    record = directory.by_id(topics.COURSE_SEARCH_RECORD)
    assert "Integrationskurs" in record.raw["notes"]
    assert record.website.startswith(local[0].values["url"])
    for intent, city in (("ask_language_course", None), ("ask_apprenticeship", "Bochum")):
        outcome = topics.answer(intent, None, True, city=city, directory=directory)
        assert all(r.response != "utter_course_search_city" for r in outcome.replies)
