"""Validation of query strings and form fields: bad input becomes a message, never a crash."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from bot.console.queries import SORTS, TAGS, Filters
from bot.languages import SUPPORTED

MAX_PAGE = 1_000_000
_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class FormError(ValueError):
    """Invalid input; ``problems`` lists what to fix (parameter: message)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def page_number(value: str | None) -> int:
    """A page number from 1 to MAX_PAGE (``FormError`` otherwise)."""
    if value in (None, ""):
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise FormError([f"page: a whole number from 1 to {MAX_PAGE}"])
    return int(value)


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Turn the list's query string into :class:`Filters`; collects every problem."""
    f = Filters()
    problems: list[str] = []

    def get(name: str) -> str:
        return (query.get(name) or "").strip()

    for name in ("from", "to"):
        if get(name):
            try:
                setattr(
                    f,
                    "date_from" if name == "from" else "date_to",
                    dt.date.fromisoformat(get(name)),
                )
            except ValueError:
                problems.append(f"{name}: a date like 2026-01-31")
    if f.date_from and f.date_to and f.date_to < f.date_from:
        problems.append("to: must not be before from")
    if get("language"):
        if get("language") in SUPPORTED:
            f.language = get("language")
        else:
            problems.append("language: one of " + ", ".join(SUPPORTED))
    for name in ("channel", "city", "intent"):
        value = get(name)
        if value:
            if _TOKEN.match(value) or (name == "city" and len(value) <= 64 and "\x00" not in value):
                setattr(f, name, value)
            else:
                problems.append(f"{name}: not a valid value")
    fallback = get("fallback")
    if fallback in ("yes", "no"):
        f.fallback = fallback == "yes"
    elif fallback:
        problems.append("fallback: yes or no")
    if get("below"):
        try:
            below = float(get("below"))
            if not 0.0 <= below <= 1.0:
                raise ValueError
            f.below = below
        except ValueError:
            problems.append("below: a number from 0 to 1, e.g. 0.5")
    f.human = get("human") in ("1", "on", "yes")
    if get("tag"):
        if get("tag") in TAGS:
            f.tag = get("tag")
        else:
            problems.append("tag: one of " + ", ".join(TAGS))
    if get("q"):
        if len(get("q")) > 200:
            problems.append("q: at most 200 characters")
        else:
            f.q = get("q")
    if get("sort"):
        if get("sort") in SORTS:
            f.sort = get("sort")
        else:
            problems.append("sort: one of " + ", ".join(SORTS))
    if get("dir"):
        if get("dir") in ("asc", "desc"):
            f.desc = get("dir") == "desc"
        else:
            problems.append("dir: asc or desc")
    try:
        f.page = page_number(query.get("page"))
    except FormError as err:
        problems += err.problems
    if problems:
        raise FormError(problems)
    return f
