"""Directory health for the console: coverage, staleness, and what users were shown.

Coverage and staleness follow ``python -m bot.offices report`` (same helpers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.offices.__main__ import LOCAL_TYPES, _year
from bot.offices.directory import load_directory


def health(views: dict[str, tuple[int, float]], today: dt.date) -> dict[str, Any]:
    """Coverage grid (city x office type), records with gaps or age, most-shown records."""
    d = load_directory()
    grid = [(city, [len(d.find(city, t)) for t in LOCAL_TYPES]) for city in d.cities]
    problems = []
    for o in d.offices:
        if not o.shown:
            continue
        missing = [
            name
            for name, value in (
                ("phone", o.phone),
                ("email", o.email),
                ("website", o.website),
                ("opening hours", o.opening_hours),
            )
            if not value
        ]
        year = _year(o.last_verified) or _year(o.source_date)
        old = year is None or (today.year - year) >= 1
        if missing or old:
            problems.append(
                {
                    "id": o.id,
                    "name": o.name,
                    "missing": missing,
                    "verified": o.last_verified,
                    "old": old,
                    "source": o.source_url,
                }
            )
    names = {o.id: o.name for o in d.offices}
    shown = sorted(
        (
            {"id": k, "name": names.get(k, "?"), "n": v[0], "last_at": v[1]}
            for k, v in views.items()
        ),
        key=lambda r: -r["n"],
    )[:30]
    return {"types": LOCAL_TYPES, "grid": grid, "problems": problems, "shown": shown}
