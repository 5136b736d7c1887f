"""Directory health for the console: coverage, staleness, and what users were shown.

Coverage and staleness follow ``python -m bot.offices report`` (same helpers). The page
is a city × office-type table whose cells carry the gaps of their records as icons, plus
the records with gaps as a table; both can be filtered by city, office type and gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.offices.coverage import LOCAL_TYPES, gaps
from bot.offices.directory import load_directory

#: Gap kinds in display order: the contact fields of coverage.gaps, then age.
GAP_KINDS = ("phone", "email", "website", "opening hours", "old")
#: Icon per gap kind (each also has a translated text label and a legend on the page).
GAP_ICONS = {"phone": "☎", "email": "✉", "website": "🌐", "opening hours": "🕑", "old": "⏳"}


@dataclass(frozen=True)
class DirectoryFilter:
    """What the directory page shows (all ``None``/``False``: everything)."""

    city: str | None = None
    office_type: str | None = None
    gap: str | None = None


def health(
    views: dict[str, tuple[int, float]], today: dt.date, only: DirectoryFilter | None = None
) -> dict[str, Any]:
    """Coverage grid with gap icons, records with gaps, most-shown records (filtered)."""
    only = only or DirectoryFilter()
    d = load_directory()
    gap_of = {g.office.id: g for g in gaps(d, today)}

    def kinds(office_id: str) -> list[str]:
        g = gap_of.get(office_id)
        if g is None:
            return []
        return [k for k in GAP_KINDS if (k == "old" and g.old) or k in g.missing]

    types = [t for t in LOCAL_TYPES if only.office_type in (None, t)]
    cities = [c for c in d.cities if only.city in (None, c)]
    grid = []
    for city in cities:
        cells: list[dict[str, Any]] = []
        for office_type in types:
            found = d.find(city, office_type)
            cell_gaps = {k for o in found for k in kinds(o.id)}
            cells.append(
                {
                    "type": office_type,
                    "n": len(found),
                    "gaps": [k for k in GAP_KINDS if k in cell_gaps],
                }
            )
        if only.gap is None or any(only.gap in c["gaps"] for c in cells):
            grid.append({"city": city, "cells": cells})
    problems: list[dict[str, Any]] = []
    for office in d.offices:
        found_kinds = kinds(office.id)
        if not office.shown or not found_kinds:
            continue
        local = [c for c in office.serves if c in d.cities]
        if only.city and only.city not in office.serves:
            continue
        if only.office_type and office.office_type != only.office_type:
            continue
        if only.gap and only.gap not in found_kinds:
            continue
        problems.append(
            {
                "id": office.id,
                "name": office.name,
                "type": office.office_type,
                "cities": local,
                "national": office.is_national or not local,
                "gaps": found_kinds,
                "verified": office.last_verified,
                "source_date": office.source_date,
                "source": office.source_url,
            }
        )
    problems.sort(key=lambda p: (p["national"], p["cities"][:1], p["type"], p["id"]))
    names = {o.id: o.name for o in d.offices}
    most_viewed = sorted(views.items(), key=lambda item: -item[1][0])[:30]
    shown = [
        {"id": k, "name": names.get(k, "?"), "n": n, "last_at": last_at}
        for k, (n, last_at) in most_viewed
    ]
    return {
        "types": types,
        "all_types": LOCAL_TYPES,
        "cities": d.cities,
        "gap_kinds": GAP_KINDS,
        "icons": GAP_ICONS,
        "grid": grid,
        "problems": problems,
        "shown": shown,
        "only": only,
    }
