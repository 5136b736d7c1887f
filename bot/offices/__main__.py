"""Command line for staff: ``python -m bot.offices validate`` / ``report``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.offices.directory import OFFICES_DIR, load_directory
from bot.offices.validation import OFFICE_TYPES, validate_files

LOCAL_TYPES = sorted(OFFICE_TYPES - {"national_hotline", "national_portal"})


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def report(directory: Path, today: dt.date) -> str:
    """Coverage table (city x type) and the records that lack contact data or are old."""
    d = load_directory(directory)
    out = ["Coverage (shown records per city and office type):", ""]
    short = {
        "employment_agency": "agency",
        "immigration_office": "immigr",
        "integration_center": "ki/kim",
        "integration_point": "ip",
        "jobcenter": "jobctr",
        "local_specialty": "local",
        "migration_counselling": "mbe",
        "recognition_counselling": "recogn",
        "youth_employment_agency": "jba",
        "youth_migration_service": "jmd",
    }
    out.append(f"{'city':<20}" + "".join(f"{short[t]:>8}" for t in LOCAL_TYPES))
    for city in d.cities:
        row = [len(d.find(city, t)) for t in LOCAL_TYPES]
        out.append(f"{city:<20}" + "".join(f"{n if n else '-':>8}" for n in row))
    out += ["", "Columns: " + ", ".join(f"{short[t]}={t}" for t in LOCAL_TYPES), ""]
    out.append("Records lacking fields or older than a year:")
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
            notes = []
            if missing:
                notes.append("no " + ", ".join(missing))
            if old:
                notes.append(f"last verified {o.last_verified or 'never'}")
            out.append(f"  {o.id}: " + "; ".join(notes))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.offices")
    parser.add_argument("command", choices=["validate", "report"])
    parser.add_argument("--dir", type=Path, default=OFFICES_DIR)
    args = parser.parse_args(argv)
    if args.command == "validate":
        problems = validate_files(args.dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s)" if problems else "office directory is valid")
        return 1 if problems else 0
    print(report(args.dir, dt.date.today()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
