"""Coverage and staleness of the office directory.

One source for ``python -m bot.offices report`` and the console's directory-health page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.offices.directory import Directory, Office
from bot.offices.validation import NATIONAL_TYPES, OFFICE_TYPES

#: Office types a city can have (nationwide hotlines, portals and finders are not per city).
LOCAL_TYPES = sorted(OFFICE_TYPES - NATIONAL_TYPES)


@dataclass(frozen=True)
class Gap:
    """What a shown record lacks: contact fields, and whether it is over a year old."""

    office: Office
    missing: list[str]
    old: bool


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def grid(directory: Directory) -> list[tuple[str, list[int]]]:
    """Per city, the number of shown records of each of LOCAL_TYPES."""
    return [
        (city, [len(directory.find(city, t)) for t in LOCAL_TYPES]) for city in directory.cities
    ]


def gaps(directory: Directory, today: dt.date) -> list[Gap]:
    """Shown records lacking phone/e-mail/website/opening hours or not verified for a year."""
    out = []
    for o in directory.offices:
        if not o.shown:
            continue
        fields = (
            ("phone", o.phone),
            ("email", o.email),
            ("website", o.website),
            ("opening hours", o.opening_hours),
        )
        missing = [name for name, value in fields if not value]
        if o.office_type == "national_finder":
            # A finder is a search page: phone, e-mail and hours belong to the offices it finds.
            missing = [name for name in missing if name == "website"]
        year = _year(o.last_verified) or _year(o.source_date)
        old = year is None or (today.year - year) >= 1
        if missing or old:
            out.append(Gap(o, missing, old))
    return out
