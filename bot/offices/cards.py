"""Turn an office record into the pieces of a contact card.

Only fields the directory has are shown; nothing is filled with placeholders.
The labels are icons, so the same card reads in every language and direction;
the description, the source lines and the notes come from the per-language files
(data/responses/<lang>.yml for office types, data/responses/cards/<lang>.yml for the rest).

Provenance is stated honestly: each source line carries the date of that source or
"date of the source unknown" (never the year the research file was compiled), official
sources come first, a record known only from the press says "please check before you go",
and a number printed without its area code gets no tel: link but a note naming the
area code of the city's local network.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote_plus

import yaml

from bot.languages import DEFAULT, RTL, SUPPORTED
from bot.offices.directory import Office
from bot.offices.provenance import Source, international_number
from bot.responses import RESPONSES_DIR, language_file

OSM_SEARCH = "https://www.openstreetmap.org/search?query="
CARD_TEXTS_DIR = RESPONSES_DIR / "cards"
#: Longest chat message we send (messengers fold longer ones; people stop reading).
MAX_MESSAGE = 700
#: Source lines on a text card (the best one); the structured card carries all of them.
SOURCES_ON_CARD = 1
LRM, RLM = "\u200e", "\u200f"
#: Messages that belong to the card before them (guidance/result.py keeps them together).
CARD_FOLLOW_UPS = frozenset({"utter_office_hours", "utter_office_outdated"})


@cache
def card_texts(language: str | None) -> dict[str, str]:
    """The card's sentence pieces in ``language`` (German for anything unknown)."""
    code = language if language in SUPPORTED else DEFAULT

    def read(lang: str) -> dict[str, str]:
        with (CARD_TEXTS_DIR / f"{lang}.yml").open(encoding="utf-8") as handle:
            return dict((yaml.safe_load(handle) or {}).get("card_texts") or {})

    return {**read(DEFAULT), **read(code)}


def _is_rtl(language: str | None) -> bool:
    return language in RTL


def isolate(value: str, language: str | None, bidi: bool = True) -> str:
    """``value`` kept left-to-right inside right-to-left text.

    In an Arabic or Persian line a number such as ``0201 88 56 999`` would otherwise be
    shown in reversed groups, and a German name would take over the line's direction.
    The LEFT-TO-RIGHT MARK makes its digits and punctuation one left-to-right run; the
    RIGHT-TO-LEFT MARK after it hands the rest of the line back (plain marks rather than
    isolates, because older messenger apps ignore isolates).
    """
    return f"{LRM}{value}{RLM}" if bidi and _is_rtl(language) else value


def _line(text: str, language: str | None) -> str:
    # Each line is its own paragraph for the bidi algorithm: start RTL lines explicitly.
    return RLM + text if _is_rtl(language) else text


def address_line(office: Office) -> str | None:
    """Street, postcode and city as far as the source states them."""
    parts = [
        office.address.get("street"),
        " ".join(p for p in (office.address.get("postcode"), office.address.get("city")) if p),
    ]
    line = ", ".join(p for p in parts if p)
    return line or None


def map_link(office: Office) -> str | None:
    """OpenStreetMap search for the address (only with a street)."""
    if not office.address.get("street"):
        return None
    return OSM_SEARCH + quote_plus(address_line(office) or "")


def emails(office: Office) -> list[str]:
    """The office's e-mail addresses (a record may list several)."""
    value = office.email
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def tel_uri(phone: str) -> str | None:
    """A ``tel:`` URI, only for numbers that dial as printed (see provenance.py)."""
    number = international_number(phone)
    return "tel:" + number if number else None


def phone_note(office: Office, language: str | None, bidi: bool = True) -> str | None:
    """For a number printed without area code: say so and name the city's area code.

    ``bidi=False`` leaves out the direction marks (for the widget, which isolates itself).
    """
    if not office.phone or international_number(office.phone):
        return None
    texts = card_texts(language)
    if office.area_code is None:
        return texts["no_area_code_unknown"]
    return texts["no_area_code"].format(
        city=isolate(office.area_code.city, language, bidi),
        code=isolate(office.area_code.code, language, bidi),
    )


def details(
    office: Office,
    language: str | None = None,
    *,
    with_hours: bool = True,
    with_map: bool = True,
) -> str:
    """The contact lines of the card, one per known field.

    ``with_hours=False`` replaces long opening hours by a pointer to the next message;
    ``with_map=False`` leaves out the (long) map link, the address stays.
    """
    lines = []
    if address := address_line(office):
        lines.append(f"📍 {isolate(address, language)}")
    if office.phone:
        note = phone_note(office, language)
        phone = isolate(office.phone, language)
        lines.append(f"☎️ {phone} {note}" if note else f"☎️ {phone}")
    lines += [f"✉️ {isolate(e, language)}" for e in emails(office)]
    if office.website:
        lines.append(f"🌐 {isolate(office.website, language)}")
    if office.opening_hours:
        if with_hours:
            lines.append(f"🕒 {isolate(office.opening_hours, language)}")
        else:
            lines.append(card_texts(language)["hours_follow"])
    if with_map and (link := map_link(office)):
        lines.append(f"🗺️ {isolate(link, language)}")
    return "\n".join(_line(line, language) for line in lines)


def source_date_note(source: Source, language: str | None, bidi: bool = True) -> str:
    """The "date of the source: 2018" or "date of the source unknown" note, in ``language``."""
    texts = card_texts(language)
    if source.date:
        return texts["dated"].format(date=isolate(source.date, language, bidi))
    return texts["undated"]


def source_line(source: Source, language: str | None) -> str:
    """The line "Source: <url> (date of the source: …)" in ``language``."""
    return card_texts(language)["source"].format(
        url=isolate(source.url, language), when=source_date_note(source, language)
    )


def check_note(office: Office, language: str | None) -> str | None:
    """The "please check before you go" note for a record without an official source.

    A record known only from the press says so; one from other unofficial pages
    (blogs, third-party portals) gets the general wording.
    """
    if office.press_only:
        return card_texts(language)["press_only"]
    if office.unofficial_only:
        return card_texts(language)["unofficial_only"]
    return None


def sources_block(office: Office, language: str | None, limit: int = SOURCES_ON_CARD) -> str:
    """The card's source lines (official first), then the check note where needed."""
    lines = [source_line(s, language) for s in office.sources[:limit]]
    if note := check_note(office, language):
        lines.append(note)
    return "\n".join(_line(line, language) for line in lines)


def hours_text(office: Office, language: str | None) -> str:
    """The opening hours on their own, for the message after a long card."""
    return isolate(office.opening_hours or "", language)


def render(response: str, language: str | None, values: dict[str, Any]) -> str:
    """The text Rasa will send for ``response`` with ``values`` (to measure a card)."""
    code = language if language in SUPPORTED else DEFAULT
    template = language_file(code)["responses"][response][0]["text"]
    return str(template).format(**values)


def card_data(
    office: Office, description: str, language: str | None = None, *, with_hours: bool = True
) -> dict[str, Any]:
    """Structured card for channels that render cards (the web widget).

    ``source``/``source_date`` are the first source on the card (official first);
    ``source_date`` is None when that source's date is unknown, and ``source_note`` says
    so in the user's language. ``tel`` is None for a number that does not dial as printed
    (``phone_note`` explains it). ``opening_hours`` is None when the hours follow in
    their own message (``opening_hours_separate``). ``check_before_visit`` is the
    "please check before you go" note of a record without an official source.
    """
    first = office.sources[0] if office.sources else Source(office.source_url, "other")
    return {
        "type": "office_card",
        "id": office.id,
        "name": office.name,
        "description": description,
        "address": address_line(office),
        "phone": office.phone,
        "tel": tel_uri(office.phone) if office.phone else None,
        "phone_note": phone_note(office, language, bidi=False),
        "email": emails(office),
        "website": office.website,
        "opening_hours": office.opening_hours if with_hours else None,
        "opening_hours_separate": bool(office.opening_hours) and not with_hours,
        "map": map_link(office),
        "source": first.url,
        "source_date": first.date,
        "source_note": source_date_note(first, language, bidi=False),
        "sources": [{"url": s.url, "kind": s.kind, "date": s.date} for s in office.sources],
        "press_only": office.press_only,
        "check_before_visit": check_note(office, language),
        "outdated": office.outdated,
    }
