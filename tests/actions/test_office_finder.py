"""Office-finding decisions, without Rasa (bot/offices/finder.py)."""

from __future__ import annotations

import pytest

from bot.offices import finder as office_finder
from bot.offices import load_directory


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def test_city_and_type_give_the_card_of_the_best_sourced_office(directory):
    outcome = office_finder.find_office(directory, "en", "Essen", None, "jobcenter")
    first = outcome.replies[0]
    assert first.response == "utter_office_card"
    office = directory.find("Essen", "jobcenter")[0]
    assert first.values["name"] == office.name
    assert first.custom["phone"] == office.phone
    assert first.custom["tel"].startswith("tel:+49")
    assert outcome.slots == {"city": "Essen"}


def test_missing_city_asks_for_it(directory):
    outcome = office_finder.find_office(directory, "de", None, None, "jobcenter")
    assert [r.response for r in outcome.replies] == ["utter_ask_city"]


def test_missing_type_offers_the_citys_office_types_as_buttons(directory):
    outcome = office_finder.find_office(directory, "tr", "Herne", None, None)
    reply = outcome.replies[0]
    assert reply.response == "utter_ask_office_type"
    payloads = [b["payload"] for b in reply.buttons]
    assert '/find_office{"office_type": "jobcenter", "city": "Herne"}' in payloads
    assert len(payloads) == len(directory.types_in("Herne"))


def test_postcode_picks_the_city(directory):
    outcome = office_finder.find_office(directory, "de", None, "44135", "immigration_office")
    assert outcome.slots == {"city": "Dortmund"}


def test_unknown_postcode_is_said_and_nationwide_services_follow(directory):
    outcome = office_finder.find_office(directory, "de", None, "10115", "jobcenter")
    assert outcome.replies[0].response == "utter_postcode_unknown"
    names = [r.values.get("name") for r in outcome.replies[1:] if r.values]
    assert names == [o.name for o in directory.national_for("jobcenter")]


def test_outdated_office_gets_the_check_before_you_go_note(directory):
    outdated = next(
        o
        for o in directory.offices
        if o.outdated
        and len(o.serves) == 1
        and o.serves[0] in directory.cities
        and directory.find(o.serves[0], o.office_type)[0] == o
    )
    outcome = office_finder.find_office(
        directory, "fa", outdated.serves[0], None, outdated.office_type
    )
    assert [r.response for r in outcome.replies] == ["utter_office_card", "utter_office_outdated"]


def test_superseded_records_are_never_shown(directory):
    superseded = [o for o in directory.offices if o.status == "superseded"]
    assert superseded
    for office in superseded:
        for city in office.serves:
            assert office not in directory.find(city, office.office_type)


def test_card_leaves_out_missing_fields(directory):
    office = next(o for o in directory.offices if o.shown and not o.email and not o.address)
    reply = office_finder.card(office, "en")[0]
    assert "✉️" not in reply.values["details"] and "📍" not in reply.values["details"]
    assert "None" not in reply.values["details"]


def test_record_without_phone_and_website_also_gets_the_nationwide_number(directory):
    office = directory.find("Essen", "immigration_office")[0]
    assert not office.phone and not office.website  # precondition of this case
    outcome = office_finder.find_office(directory, "en", "Essen", None, "immigration_office")
    names = [r.values.get("name") for r in outcome.replies if r.response == "utter_office_card"]
    national = [o.name for o in directory.national_for("immigration_office") if o.phone]
    assert names == [office.name, *national]
    phones = [r.custom["phone"] for r in outcome.replies if r.custom and r.custom["phone"]]
    assert phones  # a number the user can call
    # The Ausländerbehörde finder would only send the user back to this office.
    assert directory.by_id("de-bamf-navi-auslaenderbehoerden").name not in names


def test_record_with_phone_gets_no_extra_cards(directory):
    office = directory.find("Essen", "jobcenter")[0]
    assert office.phone
    outcome = office_finder.find_office(directory, "en", "Essen", None, "jobcenter")
    assert [r.response for r in outcome.replies] == ["utter_office_card"]


def test_city_outside_the_twelve_gets_the_nationwide_services_the_issue_names(directory):
    outcome = office_finder.find_office(directory, "en", "Hamburg", None, None)
    assert outcome.replies[0].response == "utter_city_not_served"
    cards = [r for r in outcome.replies[1:] if r.response == "utter_office_card"]
    by_id = {directory.by_id(i).name: i for i in directory.fallbacks["default"]}
    ids = [by_id[c.values["name"]] for c in cards]
    # BA service number, the BA's local agencies, Ausländerbehörde finder, recognition
    # portal, in this order (every one a record of the shared research file).
    assert ids == [
        "de-ba-servicenummer",
        "de-ba-dienststellen-vor-ort",
        "de-bamf-navi-auslaenderbehoerden",
        "de-portal-anerkennung-in-deutschland",
    ]
    details = "\n".join(c.values["details"] for c in cards)
    assert "https://bamf-navi.bamf.de/de/Themen/Behoerden/" in details
    assert directory.by_id("de-ba-servicenummer").phone in details


def test_immigration_office_outside_the_twelve_leads_with_the_official_finder(directory):
    outcome = office_finder.find_office(directory, "ar", "Köln", None, "immigration_office")
    first = outcome.replies[1]
    finder = directory.by_id("de-bamf-navi-auslaenderbehoerden")
    # The German name is kept left-to-right inside the Arabic card (marks around it).
    assert first.values["name"] == f"\u200e{finder.name}\u200f"
    assert first.custom["name"] == finder.name
    assert first.custom["website"] == finder.website
    assert first.values["description"].startswith("بحث رسمي")
    assert first.custom["source"] == finder.source_url


def test_unknown_postcode_without_office_type_gets_the_finders(directory):
    outcome = office_finder.find_office(directory, "uk", None, "20095", None)
    assert outcome.replies[0].response == "utter_postcode_unknown"
    websites = [r.custom["website"] for r in outcome.replies if r.custom]
    assert directory.by_id("de-bamf-navi-auslaenderbehoerden").website in websites
    assert directory.by_id("de-ba-dienststellen-vor-ort").website in websites
