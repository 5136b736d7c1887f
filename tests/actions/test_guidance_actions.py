"""The guidance form's actions, called the way the action server calls them (no server)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import (
    ActionGuidanceClose,
    ActionGuidanceResult,
    ActionGuidanceStop,
    ValidateGuidanceForm,
)
from bot.guidance.result import recommendation
from bot.offices import load_directory

DOMAIN = {"forms": {"guidance_form": {"required_slots": ["guidance_city", "goal"]}}}


def tracker(slots=None, text="x", intent="inform", entities=(), requested=None, loop=True):
    all_slots = {"language": "en", "requested_slot": requested, **(slots or {})}
    latest = {
        "text": text,
        "intent": {"name": intent},
        "entities": [{"entity": k, "value": v} for k, v in entities],
    }
    active = {"name": "guidance_form"} if loop else {}
    return Tracker("u1", all_slots, latest, [], False, None, active, "action_listen")


async def validate(t):
    dispatcher = CollectingDispatcher()
    events = await ValidateGuidanceForm().run(dispatcher, t, DOMAIN)
    return events, [m["response"] for m in dispatcher.messages]


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_activation_uses_the_city_the_conversation_knows():
    events, said = await validate(
        tracker({"city": "Dortmund"}, text="which office is responsible?", loop=False)
    )
    assert slot_events(events) == {"guidance_city": "Dortmund", "requested_slot": "goal"}
    assert said == []


async def test_activation_without_a_city_asks_for_it():
    events, said = await validate(tracker(text="where do I have to go?", loop=False))
    assert slot_events(events) == {"requested_slot": "guidance_city"}
    assert said == []


async def test_postcode_answers_the_city_question():
    events, _ = await validate(
        tracker(text="44135", entities=[("postal_code", "44135")], requested="guidance_city")
    )
    assert slot_events(events)["guidance_city"] == "Dortmund"


async def test_postcode_in_persian_digits():
    events, _ = await validate(
        tracker(text="۴۴۱۳۵", entities=[("postal_code", "۴۴۱۳۵")], requested="guidance_city")
    )
    assert slot_events(events)["guidance_city"] == "Dortmund"


async def test_malformed_postcode_gets_a_clear_reply_and_the_question_again():
    for text in ("4513", "451277", "45a27"):
        events, said = await validate(tracker(text=text, requested="guidance_city"))
        assert said == ["utter_guidance_postcode_invalid"]
        assert slot_events(events) == {"guidance_city": None, "requested_slot": "guidance_city"}


async def test_unknown_place_gets_a_clear_reply():
    events, said = await validate(tracker(text="Kleinkleckersdorf", requested="guidance_city"))
    assert said == ["utter_guidance_city_unknown"]
    assert slot_events(events)["requested_slot"] == "guidance_city"


async def test_city_outside_the_twelve_is_said_and_the_form_goes_on():
    events, said = await validate(
        tracker(text="Berlin", entities=[("city", "Berlin")], requested="guidance_city")
    )
    assert said == ["utter_guidance_city_not_served"]
    assert slot_events(events) == {"guidance_city": "Berlin", "requested_slot": "goal"}


async def test_city_change_mid_form():
    t = tracker(
        {"guidance_city": "Essen"},
        text="actually I live in Bochum",
        entities=[("city", "Bochum")],
        requested="goal",
    )
    events, said = await validate(t)
    assert said == ["utter_guidance_city_changed"]
    assert slot_events(events) == {"guidance_city": "Bochum", "requested_slot": "goal"}


async def test_button_and_free_text_answers():
    t = tracker({"guidance_city": "Essen"}, entities=[("goal", "job")], requested="goal")
    events, _ = await validate(t)
    assert slot_events(events)["goal"] == "job"
    t = tracker({"guidance_city": "Essen", "goal": "job"}, text="I am 22", requested="age_group")
    events, _ = await validate(t)
    assert slot_events(events) == {"age_group": "under_25", "requested_slot": "situation"}


async def test_skip_button_and_skip_words():
    t = tracker({"guidance_city": "Essen"}, entities=[("goal", "skipped")], requested="goal")
    events, _ = await validate(t)
    assert slot_events(events)["goal"] == "skipped"
    t = tracker({"guidance_city": "Essen", "goal": "job"}, text="weiß nicht", requested="age_group")
    events, _ = await validate(t)
    assert slot_events(events)["age_group"] == "skipped"


async def test_contradiction_takes_the_latest_answer_and_says_so():
    slots = {"guidance_city": "Essen", "goal": "job", "age_group": "25_plus"}
    events, said = await validate(tracker(slots, text="I'm 19", requested="situation"))
    assert slot_events(events)["age_group"] == "under_25"
    assert said == ["utter_guidance_changed"]


async def test_unreadable_answer_is_asked_again_not_rejected():
    t = tracker({"guidance_city": "Essen"}, text="banana", requested="goal")
    events, said = await validate(t)
    assert said == ["utter_guidance_not_understood"]
    assert slot_events(events) == {"goal": None, "requested_slot": "goal"}


async def test_stop_rejects_so_the_stop_rule_runs():
    events, said = await validate(tracker(text="stop", intent="stop", requested="goal"))
    assert events == [] and said == []


async def test_only_needed_questions_then_done():
    slots = {"guidance_city": "Essen"}
    t = tracker(slots, entities=[("goal", "recognition")], requested="goal")
    events, _ = await validate(t)
    assert slot_events(events) == {"goal": "recognition", "requested_slot": None}


def run_result(slots):
    dispatcher = CollectingDispatcher()
    events = ActionGuidanceResult().run(dispatcher, tracker(slots), {})
    return events, dispatcher.messages


def test_result_primary_reason_and_local_card():
    slots = {
        "guidance_city": "Essen",
        "goal": "job",
        "age_group": "25_plus",
        "situation": "recognised_protection",
        "receives_buergergeld": "yes",
    }
    events, messages = run_result(slots)
    assert messages[0]["response"] == "utter_guidance_reason_job_buergergeld"
    office = load_directory().find("Essen", "jobcenter")[0]
    assert messages[1]["response"] == "utter_office_card"
    assert messages[1]["name"] == office.name and office.phone in messages[1]["details"]
    # The answers are forgotten so the next run asks again; the city slot is untouched.
    assert SlotSet("goal", None) in events and all(e["name"] != "city" for e in events)


def test_result_says_what_it_assumed():
    slots = {
        "guidance_city": "skipped",
        "goal": "skipped",
        "age_group": "skipped",
        "situation": "skipped",
        "receives_buergergeld": "skipped",
    }
    _, messages = run_result(slots)
    responses = [m["response"] for m in messages]
    assert responses[0] == "utter_guidance_reason_job_agency_unknown"
    assumed = [r for r in responses if r.startswith("utter_guidance_assumed_")]
    assert assumed == [
        "utter_guidance_assumed_city",
        "utter_guidance_assumed_goal",
        "utter_guidance_assumed_age",
        "utter_guidance_assumed_situation",
        "utter_guidance_assumed_buergergeld",
    ]
    # Without a city: nationwide services for the employment agency.
    national = load_directory().national_for("employment_agency")[0]
    assert any(m.get("name") == national.name for m in messages)


def test_result_outside_the_twelve_gives_nationwide_services():
    slots = {"guidance_city": "Berlin", "goal": "work_permit", "situation": "duldung"}
    _, messages = run_result(slots)
    assert messages[0]["response"] == "utter_guidance_reason_work_permit_immigration"
    names = [m.get("name") for m in messages if m["response"] == "utter_office_card"]
    expected = [o.name for o in load_directory().national_for("immigration_office")]
    assert names[: len(expected)] == expected


def test_stop_closes_the_form_kindly():
    dispatcher = CollectingDispatcher()
    events = ActionGuidanceStop().run(dispatcher, tracker({"goal": "job"}), {})
    assert dispatcher.messages[0]["response"] == "utter_guidance_stopped"
    assert events[0] == ActiveLoop(None)
    assert SlotSet("requested_slot", None) in events and SlotSet("goal", None) in events
    dispatcher = CollectingDispatcher()
    events = ActionGuidanceStop().run(dispatcher, tracker(loop=False), {})
    assert ActiveLoop(None) not in events


def test_result_shows_the_primary_office_first_and_the_others_behind_buttons():
    slots = {"guidance_city": "Essen", "goal": "recognition", "language": "de"}
    _, messages = run_result(slots)
    assert messages[0]["response"] == "utter_guidance_reason_recognition"
    assert messages[1]["response"] == "utter_office_card"
    # Only the primary office's card (plus the nationwide numbers where its record has
    # no contact); the other offices come last, as buttons that open their card.
    cards = {m["name"] for m in messages if m["response"] == "utter_office_card"}
    decision, _ = recommendation(slots, load_directory(), "de")
    secondary = [load_directory().find("Essen", p.office_type) for p in decision.secondary]
    assert not cards & {offices[0].name for offices in secondary if offices}
    more = messages[-1]
    assert more["response"] == "utter_guidance_also" and more["buttons"]
    for button in more["buttons"]:
        assert button["payload"].startswith('/find_office{"office_type": ')
        assert '"city": "Essen"' in button["payload"]
    assert len({b["payload"] for b in more["buttons"]}) == len(more["buttons"])


def test_result_shows_each_card_once():
    slots = {"guidance_city": "Essen", "goal": "recognition"}
    _, messages = run_result(slots)
    names = [m["name"] for m in messages if m["response"] == "utter_office_card"]
    assert names and len(names) == len(set(names))
    assert messages[0]["response"] == "utter_guidance_reason_recognition"


async def test_stop_words_end_the_form_even_when_the_intent_was_missed():
    slots = {"guidance_city": "Essen", "language": "fr"}
    t = tracker(slots, text="non, arrête", intent="deny", requested="goal")
    events, said = await validate(t)
    assert said == ["utter_guidance_stopped"]
    assert slot_events(events)["requested_slot"] is None
    assert slot_events(events)["guidance_city"] is None
    # The "form finished" rule then runs the result action, which stays silent.
    dispatcher = CollectingDispatcher()
    assert ActionGuidanceResult().run(dispatcher, tracker({}), {}) == []
    assert dispatcher.messages == []


async def test_goodbye_in_the_middle_of_the_form_ends_it_kindly():
    slots = {"guidance_city": "Essen", "language": "fr"}
    t = tracker(slots, text="ça suffit", intent="goodbye", requested="age_group")
    events, said = await validate(t)
    assert said == ["utter_guidance_stopped"]
    assert slot_events(events)["requested_slot"] is None
    assert slot_events(events)["age_group"] is None


async def test_goodbye_before_any_question_does_not_stop_the_form():
    # requested is None when the form starts: a goodbye there is not an answer to leave.
    t = tracker({"language": "de"}, text="tschüss", intent="goodbye", requested=None)
    _, said = await validate(t)
    assert "utter_guidance_stopped" not in said


async def test_an_answer_read_as_stop_by_the_classifier_is_still_an_answer():
    slots = {"guidance_city": "Essen"}
    events, said = await validate(tracker(slots, "I quit my job", "stop", requested="goal"))
    assert events and said == []  # not rejected, not stopped
    assert slot_events(events)["goal"] == "job"
    # The same intent without an answer in it still leaves the form (the stop rule).
    assert await validate(tracker(slots, "please leave me alone", "stop", requested="goal")) == (
        [],
        [],
    )


async def test_a_yes_no_word_answers_only_the_buergergeld_question():
    slots = {"guidance_city": "Essen", "goal": "job", "language": "ru"}
    text = "джобцентр прекратил выплаты, теперь не получаю"
    asked = tracker(slots, text, "stop", requested="receives_buergergeld")
    events, said = await validate(asked)
    assert slot_events(events)["receives_buergergeld"] == "no" and said == []
    # Asked something else, the same words are no answer and the stop intent wins.
    assert await validate(tracker(slots, text, "stop", requested="age_group")) == ([], [])


async def test_requests_that_must_not_wait_interrupt_the_form():
    for intent in ("delete_my_data", "request_human"):
        t = tracker({"guidance_city": "Essen"}, "/" + intent, intent, requested="goal")
        assert await validate(t) == ([], [])  # rejected: a rule closes the form and answers


def test_close_is_silent_and_forgets_the_answers():
    dispatcher = CollectingDispatcher()
    events = ActionGuidanceClose().run(dispatcher, tracker({"goal": "job"}), {})
    assert dispatcher.messages == []
    assert events[0] == ActiveLoop(None)
    assert SlotSet("goal", None) in events and SlotSet("requested_slot", None) in events
