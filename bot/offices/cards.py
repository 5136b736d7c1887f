"""Turn an office record into the pieces of a contact card.

Only fields the directory has are shown; nothing is filled with placeholders.
The labels are icons, so the same card reads in every language and direction;
the description and the "source" line come from the per-language responses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from bot.offices.directory import Office

OSM_SEARCH = "https://www.openstreetmap.org/search?query="


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


def details(office: Office) -> str:
    """The contact lines of the card, one per known field."""
    lines = []
    if address := address_line(office):
        lines.append(f"📍 {address}")
    if office.phone:
        lines.append(f"☎️ {office.phone}")
    lines += [f"✉️ {e}" for e in emails(office)]
    if office.website:
        lines.append(f"🌐 {office.website}")
    if office.opening_hours:
        lines.append(f"🕒 {office.opening_hours}")
    if link := map_link(office):
        lines.append(f"🗺️ {link}")
    return "\n".join(lines)


def tel_uri(phone: str) -> str:
    """A tel: URI for tappable links (German numbers without +49 get it added)."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    if digits.startswith("0") and not digits.startswith("00") and len(digits) > 4:
        digits = "+49" + digits[1:]
    return "tel:" + digits


def card_data(office: Office, description: str) -> dict[str, Any]:
    """Structured card for channels that render cards (the web widget)."""
    return {
        "type": "office_card",
        "id": office.id,
        "name": office.name,
        "description": description,
        "address": address_line(office),
        "phone": office.phone,
        "tel": tel_uri(office.phone) if office.phone else None,
        "email": emails(office),
        "website": office.website,
        "opening_hours": office.opening_hours,
        "map": map_link(office),
        "source": office.source_url,
        "source_date": office.source_date or office.last_verified,
        "outdated": office.outdated,
    }
