"""Contact cards state their provenance honestly, dial correctly and read well on a phone."""

from __future__ import annotations

import shutil
import unicodedata

import pytest
import yaml

from bot.guidance.result import _once
from bot.languages import RTL, SUPPORTED
from bot.offices import finder as office_finder
from bot.offices import load_directory
from bot.offices.cards import MAX_MESSAGE, card_texts, render
from bot.offices.directory import OFFICES_DIR, Office
from bot.offices.provenance import (
    international_number,
    load_area_codes,
    load_source_kinds,
)
from bot.offices.validation import validate_files
from bot.responses import language_file

LRM, RLM = "\u200e", "\u200f"


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def shown(directory):
    return [o for o in directory.offices if o.shown]


def messages(office, language):
    """(response, text) of every message a card sends, as Rasa renders them."""
    return [
        (r.response, render(r.response, language, r.values))
        for r in office_finder.card(office, language)
    ]


def first_strong(text: str) -> str | None:
    """Bidi class of the first strong character (what a messenger takes as direction)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind
    return None


# ---- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_record_without_source_date_says_the_date_is_unknown(directory, language):
    undated = [o for o in shown(directory) if not o.sources[0].date]
    assert len(undated) > 50  # the research file dates most sources only by compilation
    texts = card_texts(language)
    for office in undated:
        card = office_finder.card(office, language)[0]
        assert texts["undated"] in card.values["sources"]
        # The compilation year is never printed as the date of the information.
        assert f"{office.last_verified})" not in card.values["sources"]
        assert card.custom["source_date"] is None
        assert card.custom["source_note"] == texts["undated"]


def test_a_dated_source_shows_its_own_date(directory):
    office = next(o for o in shown(directory) if o.sources[0].date)
    card = office_finder.card(office, "de")[0]
    assert f"(Datum der Quelle: {office.sources[0].date})" in card.values["sources"]
    assert card.custom["source_date"] == office.sources[0].date


def test_no_office_message_claims_checked_contacts():
    de = language_file("de")["responses"]["utter_office_none"][0]["text"]
    en = language_file("en")["responses"]["utter_office_none"][0]["text"]
    assert "In meinen Quellen" in de and "geprüft" not in de
    assert "My sources" in en and "verified" not in en


# ---- phone numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "dialled"),
    [
        ("0201 / 88 56 999", "+492018856999"),
        ("(0231) 842 - 1110", "+492318421110"),
        ("02041/70-4760", "+492041704760"),
        ("+49 911 943-0", "+499119430"),
        ("+49 (0)201 123456", "+49201123456"),
        ("0049 201 123456", "+49201123456"),
        ("0800 4 55 55 00", "+498004555500"),
        ("115", "115"),
        ("88-38883", None),  # Essen, printed without area code
        ("4499", None),
    ],
)
def test_only_numbers_that_dial_as_printed_are_normalised(printed, dialled):
    assert international_number(printed) == dialled


def test_the_essen_number_without_area_code_gets_no_link_but_the_area_code(directory):
    office = next(o for o in shown(directory) if o.phone == "88-38883")
    card = office_finder.card(office, "de")[0]
    assert card.custom["tel"] is None
    assert "☎️ 88-38883 (ohne Vorwahl angegeben; Ortsnetz Essen: 0201)" in card.values["details"]
    assert card.custom["phone_note"] == "(ohne Vorwahl angegeben; Ortsnetz Essen: 0201)"
    for language in SUPPORTED:
        assert "0201" in office_finder.card(office, language)[0].values["details"]


def test_every_other_number_links_in_international_form(directory):
    for office in shown(directory):
        if not office.phone or office.phone == "88-38883":
            continue
        tel = office_finder.card(office, "en")[0].custom["tel"]
        assert tel in ("tel:115",) or tel.startswith("tel:+49"), (office.id, tel)
        assert office_finder.card(office, "en")[0].custom["phone_note"] is None


def test_area_codes_come_from_the_bundesnetzagentur_list():
    codes = load_area_codes(OFFICES_DIR)
    with (OFFICES_DIR / "area_codes.yml").open(encoding="utf-8") as handle:
        table = yaml.safe_load(handle)
    assert "bundesnetzagentur.de" in table["source_url"]
    assert codes["Essen"].code == "0201" and codes["Herne"].code == "02323"
    # No Ortsnetz is named after Mülheim an der Ruhr: left out rather than guessed.
    assert "Mülheim an der Ruhr" not in codes


# ---- sources --------------------------------------------------------------------------


def test_official_sources_come_first_on_every_card(directory):
    rank = {"official": 0, "other": 1, "press": 2}
    reordered = 0
    for office in shown(directory):
        kinds = [rank[s.kind] for s in office.sources]
        assert kinds == sorted(kinds), office.id
        card = office_finder.card(office, "en")[0]
        assert card.custom["source"] == office.sources[0].url
        assert office.sources[0].url in card.values["sources"]
        reordered += office.sources[0].url != office.source_url
    assert reordered  # some records' main source is press, an official one now leads


def test_ranking_puts_the_official_page_before_the_newspaper():
    kinds = load_source_kinds(OFFICES_DIR)
    record = {
        "id": "x",
        "office_type": "jobcenter",
        "name": "Jobcenter X",
        "serves": ["Essen"],
        "status": "as_stated",
        "source_url": "https://www.waz.de/artikel",
        "source_date": "2019",
        "additional_sources": ["https://www.essen.de/seite"],
        "confidence": "medium",
        "last_verified": "2025",
    }
    office = Office.from_record(record, kinds)
    assert [s.kind for s in office.sources] == ["official", "press"]
    # The date belongs to the newspaper article, not to the official page.
    assert office.sources[0].date is None and office.sources[1].date == "2019"
    assert not office.press_only


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_record_known_only_from_the_press_says_check_before_you_go(directory, language):
    office = directory.by_id("de-ba-servicenummer")  # a 2018 local news site + a radio site
    assert office.press_only
    card = office_finder.card(office, language)[0]
    assert card_texts(language)["press_only"] in card.values["sources"]
    assert card.custom["check_before_visit"] == card_texts(language)["press_only"]
    official = directory.by_id("de-bamf-buergerservice")
    official_sources = office_finder.card(official, language)[0].values["sources"]
    assert card_texts(language)["press_only"] not in official_sources


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_record_without_an_official_source_asks_to_check_first(directory, language):
    notes = {card_texts(language)["press_only"], card_texts(language)["unofficial_only"]}
    blog = directory.by_id("bielefeld-willkommen-buero")  # a third-party page, no press
    assert blog.unofficial_only and not blog.press_only
    for office in shown(directory):
        card = office_finder.card(office, language)[0]
        official = any(s.kind == "official" for s in office.sources)
        assert (card.custom["check_before_visit"] in notes) is not official, office.id
        if not official:
            assert card.custom["check_before_visit"] in card.values["sources"]
    blog_card = office_finder.card(blog, language)[0]
    assert blog_card.custom["check_before_visit"] == card_texts(language)["unofficial_only"]


def test_the_validator_refuses_an_unclassified_source(tmp_path):
    target = tmp_path / "offices"
    shutil.copytree(OFFICES_DIR, target)
    path = target / "essen.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["offices"][0]["source_url"] = "https://blog.example.org/post"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = validate_files(target)
    assert any(
        data["offices"][0]["id"] in p and "not in source_kinds.yml" in p for p in problems
    ), problems


def test_the_finders_come_from_the_research_file_and_the_unsourced_one_is_gone(directory):
    assert directory.by_id("de-bamf-navi") is None
    finder = directory.by_id("de-bamf-navi-auslaenderbehoerden")
    assert finder.source_url == "https://bamf-navi.bamf.de/en/Impressum/"
    agencies = directory.by_id("de-ba-dienststellen-vor-ort")
    assert agencies.source_date == "2024-09-27"
    # Its source shows the local agencies' pages, not a Jobcenter search.
    assert agencies not in directory.national_for("jobcenter")


# ---- direction and length -------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(RTL))
def test_arabic_and_persian_cards_open_right_to_left(directory, language):
    for office in shown(directory):
        for response, text in messages(office, language):
            assert first_strong(text) in ("R", "AL"), (office.id, response, text[:60])
        if office.phone:
            details = office_finder.card(office, language)[0].values["details"]
            # Digits in an RTL line would show in reversed groups without the mark.
            assert f"{LRM}{office.phone}{RLM}" in details


@pytest.mark.parametrize("language", sorted(set(SUPPORTED) - RTL))
def test_left_to_right_cards_carry_no_direction_marks(directory, language):
    for office in shown(directory):
        for _, text in messages(office, language):
            assert LRM not in text and RLM not in text


@pytest.mark.parametrize("language", SUPPORTED)
def test_no_card_message_is_longer_than_a_phone_screen_allows(directory, language):
    for office in shown(directory):
        for response, text in messages(office, language):
            assert len(text) <= MAX_MESSAGE, (office.id, response, len(text))


@pytest.mark.parametrize("language", SUPPORTED)
def test_the_herne_immigration_office_sends_its_hours_separately(directory, language):
    office = directory.by_id("herne-auslaenderbehoerde")
    replies = office_finder.card(office, language)
    assert [r.response for r in replies] == ["utter_office_card", "utter_office_hours"]
    card, hours = replies
    assert card_texts(language)["hours_follow"] in card.values["details"]
    assert card.custom["opening_hours"] is None and card.custom["opening_hours_separate"]
    assert office.opening_hours in hours.values["hours"]


def test_a_repeated_card_drops_its_hours_message_too():
    reply = office_finder.Reply
    card = reply("utter_office_card", {"name": "A"})
    hours = reply("utter_office_hours", {"name": "A", "hours": "Mo 8-12"})
    reason = reply("utter_guidance_reason_x")
    kept = _once([card, hours, reason, card, hours])
    assert kept == [card, hours, reason]
