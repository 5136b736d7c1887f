"""How message texts are shown to staff: direction isolation, button titles, greetings.

Pure functions used as Jinja filters and by the transcript query; no database access.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, Arabic forms).
RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LATIN = "A-Za-z\u00c0-\u024f"
#: Runs that must read left to right inside right-to-left text: links, Latin-script
#: words (names of offices, "[PHONE]"), and numbers with their separators (phone
#: numbers, dates, opening hours). Without isolation the bidi algorithm reorders them:
#: "+49 911 943-0" is shown as "943-0 911 49+".
LTR_RUN = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]"  # links (no trailing punctuation)
    rf"|[\[(]?[{_LATIN}][{_LATIN}0-9@._'’&/:\-\[\]()]*"  # a Latin word ...
    rf"(?:[ ,]+[{_LATIN}0-9@._'’&/:\-\[\]()]*[{_LATIN}0-9\])])*"  # ... and the ones after it
    r"|[+(]?\d(?:[\d().\-/:]|\s(?=[\d(+]))*\d?\)?"  # a number (phone, date, time, range)
)


def bidi_isolate(text: str | None) -> Markup:
    """Escape ``text``; in right-to-left text, wrap each left-to-right run in ``<bdi dir=ltr>``.

    Text without right-to-left letters is returned escaped and unchanged.
    """
    text = text or ""
    if not RTL_CHARS.search(text):
        return Markup(escape(text))
    out: list[str] = []
    last = 0
    for match in LTR_RUN.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f'<bdi dir="ltr">{escape(match.group(0))}</bdi>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


#: What the widget and the Telegram connector send by themselves when a chat opens.
AUTOMATIC_GREETING = "/greet"


def is_payload(text: str) -> bool:
    """A button payload or command (``/intent`` or ``/intent{...}``), not typed words."""
    return bool(re.match(r"^/\w+(\{.*\})?$", text or "", re.S))


def is_automatic_greeting(text: str) -> bool:
    """The greeting a client sends on its own when a chat opens (not typed, no button)."""
    return (text or "").strip() == AUTOMATIC_GREETING
