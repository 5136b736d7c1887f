"""The widget's own UI texts: one YAML file per language in data/widget/.

The widget fetches them as one JSON document (``/widget/strings.json``) together
with the language menu (order, own names, writing direction) from bot/languages.py.
(The bot's "conversation deleted" reply is recognised by a flag the socket.io channel
sets, not by its text: bot/channels/socketio.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.languages import DEFAULT, RTL, SUPPORTED

#: The file every other language must match key for key.
REFERENCE = "en"


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


def widget_document(strings: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The JSON the widget loads: the language menu and the widget's own texts."""
    return {
        "default": DEFAULT,
        "languages": [
            {"code": c, "name": strings[c]["language_name"], "dir": "rtl" if c in RTL else "ltr"}
            for c in SUPPORTED
        ],
        "strings": strings,
    }
