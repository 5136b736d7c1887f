"""The gazetteer finds cities, postcodes, office types and languages in all scripts."""

from __future__ import annotations

import pytest

from bot.nlu.gazetteer import Gazetteer
from bot.paths import DATA_DIR


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_directory(DATA_DIR / "gazetteer")


CITIES = [
    ("Wo ist das Jobcenter in Essen?", "Essen"),
    ("Essen'de kurs var mı", "Essen"),
    ("Bochumda yaşıyorum", "Bochum"),
    ("я живу в Эссене", "Essen"),
    ("я живу в Ессені", "Essen"),
    ("у Бохумі", "Bochum"),
    ("في إيسن", "Essen"),
    ("أسكن بدورتموند", "Dortmund"),
    ("در دورتموند زندگی میکنم", "Dortmund"),
    ("ich wohne in muelheim", "Mülheim an der Ruhr"),
    ("Mülheim an der Ruhr", "Mülheim an der Ruhr"),
    ("je vis à Gelsenkirchen", "Gelsenkirchen"),
    ("из Дортмунда", "Dortmund"),
    ("wuppertal'da", "Wuppertal"),
]


@pytest.mark.parametrize("text,city", CITIES)
def test_city_in_every_script_and_inflection(gazetteer, text, city):
    found = [m for m in gazetteer.find(text) if m.entity == "city"]
    assert [m.value for m in found] == [city]
    assert text[found[0].start : found[0].end] == found[0].text


@pytest.mark.parametrize(
    "text,office",
    [
        ("wo ist das jobcenter", "jobcenter"),
        ("أين الجوب سنتر", "jobcenter"),
        ("де знаходиться джобцентр", "jobcenter"),
        ("je cherche l'Ausländerbehörde", "immigration_office"),
        ("adresse der agentur für arbeit", "employment_agency"),
    ],
)
def test_office_types(gazetteer, text, office):
    assert office in [m.value for m in gazetteer.find(text) if m.entity == "office_type"]


def test_postcode_and_no_false_city(gazetteer):
    found = gazetteer.find("meine PLZ ist 45127, Telefon 0201123456")
    assert [(m.entity, m.value) for m in found] == [("postal_code", "45127")]


@pytest.mark.parametrize(
    "text,code",
    [
        ("English please", "en"),
        ("بالعربية", "ar"),
        ("auf Deutsch bitte", "de"),
        ("Türkçe konuşalım", "tr"),
        ("по-русски", "ru"),
        ("українською", "uk"),
        ("به فارسی", "fa"),
        ("en français svp", "fr"),
    ],
)
def test_language_names(gazetteer, text, code):
    assert code in [m.value for m in gazetteer.find(text) if m.entity == "language"]


def test_served_cities_are_the_twelve(gazetteer):
    assert gazetteer.served_cities == {
        "Essen",
        "Bottrop",
        "Herne",
        "Bochum",
        "Dortmund",
        "Duisburg",
        "Gelsenkirchen",
        "Mülheim an der Ruhr",
        "Oberhausen",
        "Hagen",
        "Wuppertal",
        "Bielefeld",
    }


@pytest.mark.parametrize(
    "text,city",
    [
        ("ich wohne in Botrop", "Bottrop"),
        ("курс в Вупертале", "Wuppertal"),
        ("jobcenter gelsenkirrchen", "Gelsenkirchen"),
        ("wohne in Oberhaussen", "Oberhausen"),
    ],
)
def test_a_doubled_letter_dropped_or_added(gazetteer, text, city):
    assert [m.value for m in gazetteer.find(text) if m.entity == "city"] == [city]


@pytest.mark.parametrize(
    "text", ["bon courage", "a ham sandwich", "im Sommer", "Kommunikation", "Hammer und Nagel"]
)
def test_collapsing_doubled_letters_finds_no_city_in_ordinary_words(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.entity == "city"] == []
