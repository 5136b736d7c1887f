"""The languages Wegweiser speaks, in one place.

Adding a language means adding its code here and its data files (see README,
"How to add a language"); the tests check that every data file agrees with this list.
"""

from __future__ import annotations

#: Supported conversation languages (ISO 639-1). Order = order of the language menu.
SUPPORTED: tuple[str, ...] = ("de", "en", "ar", "tr", "uk", "ru", "fa", "fr")

#: Language used when a conversation has no language yet.
DEFAULT = "de"

#: Written right-to-left.
RTL: frozenset[str] = frozenset({"ar", "fa"})


def normalise_code(code: str | None) -> str | None:
    """Reduce a locale such as ``uk-UA``, ``pt_BR`` or ``FA`` to a lowercase base code.

    Returns ``None`` for empty or non-alphabetic input. Dari locales (``prs``) map
    to ``fa``, because both are served by the Persian responses.
    """
    if not code or not isinstance(code, str):
        return None
    base = code.strip().replace("_", "-").split("-", 1)[0].lower()
    if not base.isalpha() or not 2 <= len(base) <= 3:
        return None
    return {"prs": "fa", "per": "fa", "fas": "fa", "ua": "uk"}.get(base, base)


def is_supported(code: str | None) -> bool:
    """Whether ``code`` (already normalised) is one of the supported languages."""
    return code in SUPPORTED
