"""Curated topic answers: which responses answer a topic question.

Five intents (language course, apprenticeship, recognition, permission to
work, job search) each have an overview response and sub-topics the user can
open with a button (``/ask_language_course{"topic_part": "costs"}``). The texts
and their offer buttons live in data/responses/topics/<lang>.yml; every fact in
them is sourced in docs/topic-sources.md.

"Guidance, not legal advice" must be said once per conversation, so the first
topic answer is preceded by a short disclaimer and the ``topic_disclaimer_shown``
slot remembers that it was said. Pure logic, no Rasa: actions/topics.py calls in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.offices.directory import Directory
from bot.replies import Outcome, Reply

DISCLAIMER = "utter_topic_disclaimer"
DISCLAIMER_SLOT = "topic_disclaimer_shown"
PART_ENTITY = "topic_part"
# Not a topic intent (the action was triggered some other way): offer the topics.
FALLBACK = "utter_help"
COURSE_INTENT = "ask_language_course"
#: The BAMF-NAvI record; its notes name the site as the search for course providers.
COURSE_SEARCH_RECORD = "de-bamf-navi-auslaenderbehoerden"


@dataclass(frozen=True)
class Topic:
    """A topic's overview response and its sub-topics (name -> response)."""

    response: str
    parts: dict[str, str] = field(default_factory=dict)

    def responses(self) -> list[str]:
        """The overview and every sub-topic response."""
        return [self.response, *self.parts.values()]


# The whole table, spelled out: tools/validate_data.py checks that every
# response the actions send is named in the code.
TOPICS: dict[str, Topic] = {
    "ask_language_course": Topic(
        "utter_topic_language_course",
        {
            "integration": "utter_topic_language_course_integration",
            # No entitlement (asylum, Duldung, § 24, EU): split off to keep the answer short.
            "admission": "utter_topic_language_course_admission",
            "costs": "utter_topic_language_course_costs",
            "job": "utter_topic_language_course_job",
        },
    ),
    "ask_apprenticeship": Topic(
        "utter_topic_apprenticeship",
        {
            "find": "utter_topic_apprenticeship_find",
            "eq": "utter_topic_apprenticeship_eq",
            "duldung": "utter_topic_apprenticeship_duldung",
        },
    ),
    "ask_recognition": Topic(
        "utter_topic_recognition",
        {
            "advice": "utter_topic_recognition_advice",
            "procedure": "utter_topic_recognition_procedure",
        },
    ),
    "ask_work_permit": Topic("utter_topic_work_permit", {"bring": "utter_topic_work_permit_bring"}),
    "ask_job_search": Topic("utter_topic_job_search", {"cv": "utter_topic_job_search_cv"}),
}


def response_names() -> list[str]:
    """Every response this module can send (the response files must define them all)."""
    return [DISCLAIMER, *(name for topic in TOPICS.values() for name in topic.responses())]


def normalise_part(part: Any) -> str | None:
    """The sub-topic name from a button payload, or None if it is not usable."""
    if not isinstance(part, str):
        return None
    return part.strip().lower() or None


def answer(
    intent: str | None,
    part: Any,
    disclaimer_shown: bool,
    city: str | None = None,
    directory: Directory | None = None,
) -> Outcome:
    """The replies for a topic question, and the slots to remember.

    An unknown sub-topic (an old button, a typed payload) falls back to the
    topic's overview rather than failing; an unknown intent gets the help menu.
    A language-course question that names a place also gets the local answer
    (:func:`courses_in`).
    """
    topic = TOPICS.get(intent or "")
    if topic is None:
        return Outcome([Reply(FALLBACK)])
    name = normalise_part(part)
    replies = [Reply(topic.parts.get(name or "", topic.response))]
    if intent == COURSE_INTENT and city and directory is not None:
        replies += courses_in(city, directory)
    if disclaimer_shown:
        return Outcome(replies)
    return Outcome([Reply(DISCLAIMER), *replies], {DISCLAIMER_SLOT: True})


def courses_in(city: str, directory: Directory) -> list[Reply]:
    """Where to find a course in ``city``: the BAMF's course search for that place.

    None of our sources names local course providers (VHS, integration course
    providers), so the answer says so rather than guessing. The search is BAMF-NAvI,
    whose directory record names it as usable for integration course providers; its
    address comes from that record.
    """
    finder = directory.by_id(COURSE_SEARCH_RECORD)
    if finder is None or not finder.website:
        return []
    parts = urlsplit(finder.website)
    return [
        Reply(
            "utter_course_search_city", {"city": city, "url": f"{parts.scheme}://{parts.netloc}/"}
        )
    ]
