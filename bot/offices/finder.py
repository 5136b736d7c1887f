"""What to answer when someone looks for an office: pure logic, no Rasa.

The actions turn the returned :class:`Reply` list into messages; keeping the
decisions here makes them testable without an action server.
"""

from __future__ import annotations

import json

from bot.offices.cards import (
    MAX_MESSAGE,
    card_data,
    details,
    hours_text,
    isolate,
    render,
    sources_block,
)
from bot.offices.directory import Directory, Office
from bot.replies import Outcome, Reply
from bot.responses import office_type_text


def card(office: Office, language: str | None) -> list[Reply]:
    """The contact card for one office, kept under MAX_MESSAGE characters.

    A card that would be longer sends its opening hours as the next message and, if
    still too long, leaves out the map link (the address stays; the widget's structured
    card keeps both). The outdated note follows last.
    """
    description = office_type_text(language, office.office_type)["description"]
    name = isolate(office.name, language)
    steps = [(True, True), (False, True), (False, False)]
    if not office.opening_hours:
        steps = [(True, True), (True, False)]
    for with_hours, with_map in steps:
        values = {
            "name": name,
            "description": description,
            "details": details(office, language, with_hours=with_hours, with_map=with_map),
            "sources": sources_block(office, language),
        }
        if len(render("utter_office_card", language, values)) <= MAX_MESSAGE:
            break
    replies = [
        Reply(
            "utter_office_card",
            values,
            custom=card_data(office, description, language, with_hours=with_hours),
        )
    ]
    if not with_hours:
        replies.append(
            Reply("utter_office_hours", {"name": name, "hours": hours_text(office, language)})
        )
    if office.outdated:
        replies.append(Reply("utter_office_outdated"))
    return replies


def office_cards(directory: Directory, office: Office, language: str | None) -> list[Reply]:
    """The card, plus the nationwide numbers when the record has no phone and no website."""
    replies = card(office, language)
    if not office.phone and not office.website and not office.is_national:
        replies += national_cards(directory, office.office_type, language, phones_only=True)
    return replies


def national_cards(
    directory: Directory,
    office_type: str | None,
    language: str | None,
    *,
    phones_only: bool = False,
) -> list[Reply]:
    """Cards of the nationwide services for an office type.

    ``phones_only`` keeps the services one can call: next to a known local office
    a finder for "the responsible office" would only send the user in a circle.
    """
    offices = directory.national_for(office_type)
    if phones_only:
        offices = [o for o in offices if o.phone]
    return [r for office in offices for r in card(office, language)]


def office_type_buttons(
    directory: Directory, city: str, language: str | None
) -> list[dict[str, str]]:
    """One button per office type the city has, labelled in the user's language."""
    buttons = []
    for office_type in directory.types_in(city):
        entities = json.dumps({"office_type": office_type, "city": city}, ensure_ascii=False)
        buttons.append(
            {
                "title": office_type_text(language, office_type)["label"],
                "payload": f"/find_office{entities}",
            }
        )
    return buttons


def find_office(
    directory: Directory,
    language: str | None,
    city: str | None,
    postal_code: str | None,
    office_type: str | None,
) -> Outcome:
    """Answer a request for an office, asking only for what is missing."""
    if postal_code:
        from_postcode = directory.city_for_postcode(postal_code)
        if from_postcode:
            city = from_postcode
        elif not city:
            return Outcome(
                [
                    Reply("utter_postcode_unknown", {"postal_code": postal_code}),
                    *national_cards(directory, office_type, language),
                ],
                {"postal_code": None},
            )
    if not city:
        return Outcome([Reply("utter_ask_city")])
    if city not in directory.cities:
        return Outcome(
            [
                Reply("utter_city_not_served", {"city": city}),
                *national_cards(directory, office_type, language),
            ]
        )
    if not office_type:
        return Outcome(
            [
                Reply(
                    "utter_ask_office_type",
                    {"city": city},
                    buttons=office_type_buttons(directory, city, language),
                )
            ],
            {"city": city},
        )
    offices = directory.find(city, office_type)
    if not offices:
        return Outcome(
            [
                Reply("utter_office_none", {"city": city}),
                *national_cards(directory, office_type, language),
            ],
            {"city": city},
        )
    return Outcome(office_cards(directory, offices[0], language), {"city": city})


def request_human(directory: Directory, language: str | None, city: str | None) -> Outcome:
    """Nationwide numbers, then the way to the local office."""
    replies = [Reply("utter_request_human"), *national_cards(directory, "request_human", language)]
    if city in directory.cities:
        replies.append(
            Reply(
                "utter_ask_office_type",
                {"city": city},
                buttons=office_type_buttons(directory, city, language),
            )
        )
    else:
        replies.append(Reply("utter_request_human_local"))
    return Outcome(replies)
