"""Command line for staff: ``python -m bot.offices validate`` / ``report``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.offices.coverage import LOCAL_TYPES, gaps, grid
from bot.offices.directory import OFFICES_DIR, load_directory
from bot.offices.validation import validate_files


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
    for city, row in grid(d):
        out.append(f"{city:<20}" + "".join(f"{n if n else '-':>8}" for n in row))
    out += ["", "Columns: " + ", ".join(f"{short[t]}={t}" for t in LOCAL_TYPES), ""]
    out.append("Records lacking fields or older than a year:")
    for gap in gaps(d, today):
        notes = []
        if gap.missing:
            notes.append("no " + ", ".join(gap.missing))
        if gap.old:
            notes.append(f"last verified {gap.office.last_verified or 'never'}")
        out.append(f"  {gap.office.id}: " + "; ".join(notes))
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
