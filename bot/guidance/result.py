"""Turn the form's answers into the recommendation: assumptions, notes, reasons, cards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.guidance.form import CITY, city_types
from bot.guidance.rules import QUESTIONS, SKIPPED, Decision, Pick, decide
from bot.offices.cards import CARD_FOLLOW_UPS
from bot.offices.directory import Directory
from bot.offices.finder import card, national_cards, office_cards
from bot.replies import Reply

ASSUMED = {
    CITY: "utter_guidance_assumed_city",
    "goal": "utter_guidance_assumed_goal",
    "age_group": "utter_guidance_assumed_age",
    "situation": "utter_guidance_assumed_situation",
    "receives_buergergeld": "utter_guidance_assumed_buergergeld",
}


def _cards(pick: Pick, city: str | None, directory: Directory, language: str | None) -> list[Reply]:
    """Contact cards for one pick; nationwide services when the city has no record."""
    if pick.record:
        office = directory.by_id(pick.record)
        return card(office, language) if office and office.shown else []
    offices = []
    if city and pick.office_type and city in directory.cities:
        offices = directory.find(city, pick.office_type)
    if offices:
        return office_cards(directory, offices[0], language)
    return national_cards(directory, pick.office_type, language)


def _once(replies: list[Reply]) -> list[Reply]:
    """Each card once (a hotline may serve several picks), with its follow-up messages."""
    seen: set[str] = set()
    out: list[Reply] = []
    skipping = False
    for reply in replies:
        if reply.response == "utter_office_card":
            skipping = reply.values["name"] in seen
            seen.add(reply.values["name"])
        elif reply.response not in CARD_FOLLOW_UPS:
            skipping = False
        if not skipping:
            out.append(reply)
    return out


def recommendation(
    answers: Mapping[str, Any], directory: Directory, language: str | None
) -> tuple[Decision, list[Reply]]:
    """The decision for ``answers`` and the replies that explain it."""
    city = answers.get(CITY)
    decision = decide({q: answers.get(q) for q in QUESTIONS}, city_types(directory, city))
    replies = [Reply(ASSUMED[slot]) for slot in ASSUMED if answers.get(slot) == SKIPPED]
    replies += [Reply(note) for note in decision.notes]
    replies.append(Reply(decision.primary.reason))
    replies += _cards(decision.primary, city, directory, language)
    if decision.secondary:
        replies.append(Reply("utter_guidance_also"))
    for pick in decision.secondary:
        replies.append(Reply(pick.reason))
        replies += _cards(pick, city, directory, language)
    return decision, _once(replies)
