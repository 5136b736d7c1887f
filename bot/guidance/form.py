"""What the guidance form does with one user message (pure logic, no Rasa).

The form asks one question at a time and only questions whose answer can still
change the recommendation (:func:`bot.guidance.rules.needed_questions`). A message
may answer the question asked, change an earlier answer ("I'm 19" after "25 or
older": the latest answer wins and the user is told), change the city, skip, or
be something we cannot read; each gets a clear reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import topics
from bot.guidance import answers as parse
from bot.guidance.rules import QUESTIONS, SKIPPED, load_table, needed_questions
from bot.offices.directory import Directory
from bot.replies import Reply
from bot.responses import language_file

CITY = "guidance_city"
FORM_SLOTS = (CITY, *QUESTIONS)
STOP_INTENT = "stop"
#: Intents that, in the middle of the form, mean "I want out" unless the message also
#: answers a question: the classifier often reads "enough"/"ça suffit"/"بسه" as
#: goodbye, and "I quit my job" as stop (docs/benchmarks-nlu.md, form-exit section).
LEAVE_INTENTS = frozenset({STOP_INTENT, "goodbye"})
#: Questions whose keywords are specific enough to show a message is an answer; the
#: yes/no words of receives_buergergeld ("no", "don't") are in most ways of leaving.
ANSWER_EVIDENCE = ("goal", "age_group", "situation")
#: Requests that must not wait for the form: the form rejects them and a rule closes
#: it and answers (data/stories/guidance.yml). A deletion request is never lost.
INTERRUPT_INTENTS = frozenset({"delete_my_data", "request_human"})


@dataclass(frozen=True)
class Message:
    """The parts of a user message the form looks at."""

    text: str
    intent: str | None = None
    entities: Mapping[str, Any] = field(default_factory=dict)  # last value per entity
    language: str | None = None


@dataclass(frozen=True)
class Step:
    """Slot updates, replies and the next question (``None``: all answered)."""

    slots: dict[str, Any]
    replies: list[Reply]
    next_slot: str | None
    understood: bool = True
    reject: bool = False
    stop: bool = False


def label(language: str | None, slot: str, value: str) -> str:
    """The button title for ``value`` of ``slot`` in the user's language."""
    responses = language_file(language or "de")["responses"]
    for button in responses[f"utter_ask_guidance_form_{slot}"][0]["buttons"]:
        if f'"{value}"' in button["payload"]:
            return button["title"]
    return value


def city_types(directory: Directory, city: str | None) -> list[str]:
    """Office types the user's city has (none when it is not one of ours)."""
    return directory.types_in(city) if city in directory.cities else []


def next_question(answers: Mapping[str, Any], directory: Directory) -> str | None:
    """The next slot to ask: the city first, then the questions that still matter."""
    if answers.get(CITY) is None:
        return CITY
    needed = needed_questions(
        {q: answers.get(q) for q in QUESTIONS}, city_types(directory, answers[CITY])
    )
    return needed[0] if needed else None


def _place(message: Message, directory: Directory) -> str | None:
    entities = message.entities
    if entities.get(CITY) == SKIPPED:
        return SKIPPED
    if entities.get("postal_code"):
        code = parse.normalise(str(entities["postal_code"]))  # "۴۴۱۳۵" -> "44135"
        return directory.city_for_postcode(code) or code
    return entities.get("city")


def _city_reply(place: str, directory: Directory, changed: bool) -> list[Reply]:
    if place == SKIPPED:
        return []
    if place not in directory.cities:
        return [Reply("utter_guidance_city_not_served", {"city": place})]
    return [Reply("utter_guidance_city_changed", {"city": place})] if changed else []


def gives_answer(message: Message, requested: str | None = None) -> bool:
    """Whether the message names a place, goal, age, situation or answers ``requested``."""
    if message.entities.get("city") or message.entities.get("postal_code"):
        return True
    text, language = message.text, message.language
    if parse.age_group_from_number(text, language, require_marker=True):
        return True
    slots = {slot for slot in (*ANSWER_EVIDENCE, requested) if slot} & set(QUESTIONS)
    return any(parse.match_value(slot, text, language) for slot in slots)


def wants_to_leave(message: Message, requested: str | None = None) -> bool:
    """Whether, in the middle of the form, the user wants out rather than answer.

    A stop word always counts (the lists avoid answers like "I quit my job"); a
    stop or goodbye intent counts unless the message also answers a question
    ("the Jobcenter stopped paying, I don't get it" to the Bürgergeld question).
    """
    if parse.is_stop(message.text, message.language):
        return True
    return message.intent in LEAVE_INTENTS and not gives_answer(message, requested)


def _read_answer(slot: str, message: Message) -> str | None:
    """The value the free text gives for the question that was asked."""
    text, language = message.text, message.language
    if parse.is_skip(text, language):
        return SKIPPED
    if slot == "age_group":
        return parse.age_group_from_number(text, language, require_marker=False) or (
            parse.match_value(slot, text, language)
        )
    value = parse.match_value(slot, text, language)
    if value is None and slot == "receives_buergergeld":
        value = {"affirm": "yes", "deny": "no"}.get(message.intent or "")
    return value


def step(
    answers: Mapping[str, Any],
    requested: str | None,
    message: Message,
    directory: Directory,
    remembered_place: str | None = None,
) -> Step:
    """Decide what to do with ``message``; ``answers`` are the form's slots so far.

    ``requested`` is the question last asked (``None`` when the form starts);
    ``remembered_place`` is a city or postcode the conversation already knows.
    """
    if message.intent in INTERRUPT_INTENTS or (requested is None and message.intent == STOP_INTENT):
        return Step({}, [], requested, understood=False, reject=True)
    if requested is not None and wants_to_leave(message, requested):
        if message.intent == STOP_INTENT:
            # Rejecting hands the turn to the "stop the guidance form" rule.
            return Step({}, [], requested, understood=False, reject=True)
        # The classifier missed the "stop"; the intent or the words still say it.
        return Step({}, [], None, understood=False, stop=True)
    values = load_table().questions
    language = message.language
    updates: dict[str, Any] = {}
    replies: list[Reply] = []

    def set_answer(slot: str, value: str) -> None:
        old = answers.get(slot)
        if old not in (None, SKIPPED, value) and value != SKIPPED:
            replies.append(Reply("utter_guidance_changed", {"value": label(language, slot, value)}))
        updates[slot] = value

    # The place: a city or postcode in any message, else what the conversation knows.
    place = _place(message, directory)
    if place is None and requested is None and answers.get(CITY) is None and remembered_place:
        place = (
            directory.city_for_postcode(remembered_place) or remembered_place
            if remembered_place.isdigit()
            else remembered_place
        )
    if place is not None and place != answers.get(CITY):
        replies += _city_reply(place, directory, changed=answers.get(CITY) is not None)
        updates[CITY] = place
    elif place is None and requested == CITY:
        if parse.is_skip(message.text, language):
            updates[CITY] = SKIPPED
        elif bad := parse.bad_postcode(message.text):
            replies.append(Reply("utter_guidance_postcode_invalid", {"postal_code": bad}))
        else:
            replies.append(Reply("utter_guidance_city_unknown"))

    # Button payloads name their slot; they may answer any question.
    for slot in QUESTIONS:
        value = message.entities.get(slot)
        if value is not None and (value == SKIPPED or value in values[slot]):
            set_answer(slot, str(value))

    # Free text answers the question asked.
    if requested in QUESTIONS and requested not in updates:
        value = _read_answer(requested, message)
        if value is not None:
            set_answer(requested, value)
    # An age given in passing ("I'm 19") counts whatever was asked.
    if requested != "age_group" and "age_group" not in updates:
        age = parse.age_group_from_number(message.text, language, require_marker=True)
        if age is not None and age != answers.get("age_group"):
            set_answer("age_group", age)
    # An answer to a question not asked yet ("I have a Duldung" when asked the goal).
    if not updates and requested in QUESTIONS:
        for slot in QUESTIONS:
            if slot != requested and answers.get(slot) is None:
                value = parse.match_value(slot, message.text, language)
                if value is not None:
                    set_answer(slot, value)

    understood = bool(updates)
    if requested in QUESTIONS and requested not in updates and understood:
        # It answered another question ("yes, I get Bürgergeld" to the residence
        # question): say what was noted, then the form asks its question again.
        noted = [s for s in QUESTIONS if s in updates and s != requested]
        if noted and not replies:
            replies.append(
                Reply(
                    "utter_guidance_noted", {"value": label(language, noted[0], updates[noted[0]])}
                )
            )
    if requested is not None and not understood and not replies:
        if message.intent in topics.TOPICS:
            # A question in the middle of the form ("what does the course cost?"): the
            # answer, then the form asks its question again.
            replies += topics.answer(message.intent, None, disclaimer_shown=True).replies
        else:
            replies.append(Reply("utter_guidance_not_understood"))
    merged = {**answers, **updates}
    return Step(updates, replies, next_question(merged, directory), understood)
