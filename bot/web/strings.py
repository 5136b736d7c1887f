"""The widget's own UI texts: one YAML file per language in data/widget/.

The widget fetches them as one JSON document (``/widget/strings.json``) together
with the language menu (order, own names, writing direction) from bot/languages.py
and the texts of the bot's "conversation deleted" reply, so that the widget clears
the device however the deletion was asked for (menu or typed "delete my data").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.languages import DEFAULT, RTL, SUPPORTED
from bot.responses import language_file

#: The file every other language must match key for key.
REFERENCE = "en"
#: The bot's reply once it has deleted the conversation (actions/privacy.py).
DELETED_RESPONSE = "utter_data_deleted"


class StringsError(ValueError):
    """A widget strings file is missing, malformed or lacks keys."""


def load_strings(directory: Path) -> dict[str, dict[str, str]]:
    """Read and check ``<lang>.yml`` for every supported language."""
    strings: dict[str, dict[str, str]] = {}
    for code in SUPPORTED:
        path = directory / f"{code}.yml"
        if not path.exists():
            raise StringsError(f"{path}: missing (every supported language needs widget strings)")
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        if not isinstance(data, dict) or not all(
            isinstance(v, str) and v.strip() for v in data.values()
        ):
            raise StringsError(f"{path}: must map keys to non-empty texts")
        strings[code] = data
    expected = set(strings[REFERENCE])
    for code, data in strings.items():
        missing, extra = expected - set(data), set(data) - expected
        if missing or extra:
            raise StringsError(
                f"{directory / code}.yml: missing {sorted(missing)}, unknown {sorted(extra)}"
            )
    return strings


def deletion_replies() -> list[str]:
    """First bubble of the "deleted" reply in every language, as the widget receives it.

    The socket.io output sends a text as one event per paragraph, so only the first
    paragraph is compared. The widget recognises the reply by this text because the
    channel forwards no response name; a flag from the server would be sturdier.
    """
    replies = {
        variation["text"].strip().split("\n\n")[0].strip()
        for code in SUPPORTED
        for variation in language_file(code)["responses"].get(DELETED_RESPONSE, [])
    }
    return sorted(replies)


def widget_document(strings: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The JSON the widget loads: language menu, texts, the deletion replies."""
    return {
        "default": DEFAULT,
        "languages": [
            {"code": c, "name": strings[c]["language_name"], "dir": "rtl" if c in RTL else "ltr"}
            for c in SUPPORTED
        ],
        "strings": strings,
        "deletion_replies": deletion_replies(),
    }
