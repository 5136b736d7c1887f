"""Directory health for the console: coverage, staleness, and what users were shown.

Coverage and staleness follow ``python -m bot.offices report`` (same helpers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.offices.coverage import LOCAL_TYPES, gaps, grid
from bot.offices.directory import load_directory


def health(views: dict[str, tuple[int, float]], today: dt.date) -> dict[str, Any]:
    """Coverage grid (city x office type), records with gaps or age, most-shown records."""
    d = load_directory()
    problems = [
        {
            "id": g.office.id,
            "name": g.office.name,
            "missing": g.missing,
            "verified": g.office.last_verified,
            "old": g.old,
            "source": g.office.source_url,
        }
        for g in gaps(d, today)
    ]
    names = {o.id: o.name for o in d.offices}
    shown = sorted(
        (
            {"id": k, "name": names.get(k, "?"), "n": v[0], "last_at": v[1]}
            for k, v in views.items()
        ),
        key=lambda r: -r["n"],
    )[:30]
    return {"types": LOCAL_TYPES, "grid": grid(d), "problems": problems, "shown": shown}
