"""Text normalisation shared by the tokenizer, the gazetteer and the language detector.

Users type the same word in many ways: with or without diacritics, Arabic or
Persian keyboard letters (ي/ی, ك/ک), Turkish dotted capital İ, tatweel, ZWNJ.
``fold`` maps them all to one comparable form. It never changes the number of
*words*, so callers can keep token offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata

_CHAR_MAP = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh -> Persian yeh (one form for both keyboards)
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf -> Persian keheh
        "ة": "ه",  # teh marbuta
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ـ": "",  # tatweel
        "\u200c": "",  # zero-width non-joiner (Persian)
        "\u200d": "",
        "İ": "i",  # Turkish dotted capital I: "İ".lower() would give "i̇"
        "ı": "i",
        "ß": "ss",
        "ё": "е",
        "’": "'",
        "`": "'",
        "´": "'",
    }
)

# Controls and bidi overrides: never meaningful in chat text, sometimes used to spoof.
_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def strip_invisible(text: str) -> str:
    """Remove control characters and bidirectional overrides, keep newlines/tabs."""
    return _INVISIBLE.sub("", text)


def fold(text: str) -> str:
    """Case-fold and strip diacritics/keyboard variants for matching (see module doc)."""
    text = unicodedata.normalize("NFKC", strip_invisible(text)).translate(_CHAR_MAP)
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", without_marks).casefold()


def script_of(char: str) -> str:
    """Return a coarse script name for one character: latin, arabic, cyrillic, other, none."""
    if not char.isalpha():
        return "none"
    code = ord(char)
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    return "other"
