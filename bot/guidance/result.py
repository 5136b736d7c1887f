"""Turn the form's answers into the recommendation: assumptions, notes, reasons, cards."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.guidance.form import CITY, city_types
from bot.guidance.rules import QUESTIONS, SKIPPED, Decision, Pick, decide
from bot.offices.cards import CARD_FOLLOW_UPS
from bot.offices.directory import Directory
from bot.offices.finder import card, national_cards, office_cards
from bot.replies import Reply
from bot.responses import office_type_text

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


def _more_offices(
    picks: tuple[Pick, ...] | list[Pick],
    city: str | None,
    directory: Directory,
    language: str | None,
) -> list[Reply]:
    """The secondary offices as buttons: each opens that office's card (find_office)."""
    buttons: list[dict[str, str]] = []
    for pick in picks:
        office_type = pick.office_type
        if pick.record and (office := directory.by_id(pick.record)) is not None:
            office_type = office.office_type
        if not office_type:
            continue
        entities = {"office_type": office_type}
        if city and city != SKIPPED:
            entities["city"] = city
        label = office_type_text(language, office_type)["label"]
        payload = "/find_office" + json.dumps(entities, ensure_ascii=False)
        if payload not in {b["payload"] for b in buttons}:
            buttons.append({"title": label, "payload": payload})
    return [Reply("utter_guidance_also", buttons=buttons)] if buttons else []


def recommendation(
    answers: Mapping[str, Any], directory: Directory, language: str | None
) -> tuple[Decision, list[Reply]]:
    """The decision for ``answers`` and the replies that explain it.

    On a phone the first bubbles are what people read: the primary office's reason and
    card come first, then what was assumed, and the other offices only as buttons.
    """
    city = answers.get(CITY)
    decision = decide({q: answers.get(q) for q in QUESTIONS}, city_types(directory, city))
    replies = [Reply(decision.primary.reason)]
    replies += _cards(decision.primary, city, directory, language)
    replies += [Reply(ASSUMED[slot]) for slot in ASSUMED if answers.get(slot) == SKIPPED]
    replies += [Reply(note) for note in decision.notes]
    replies += _more_offices(decision.secondary, city, directory, language)
    return decision, _once(replies)
