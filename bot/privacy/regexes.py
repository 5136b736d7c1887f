"""Character-level finders: e-mail addresses, IBANs, phone numbers and dates.

These shapes cross token boundaries in every tokenizer ("+49 (0)176 123-456"), so they
are found with regular expressions on the digit-folded text (see :func:`fold_digits`;
it keeps every offset). Each finder returns ``(start, end)`` character spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from bot.privacy.wordlists import word_lists

# Arabic-Indic and Persian digits -> ASCII, one character for one (offsets stay valid).
_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


def fold_digits(text: str) -> str:
    """``text`` with Arabic-Indic/Persian digits as ASCII digits; same length."""
    return text.translate(_DIGITS)


EMAIL = re.compile(
    r"[\w.+-]+(?:@|\s?[\(\[{]\s?(?:at|ät|@)\s?[\)\]}]\s?)[\w-]+"
    r"(?:(?:\.|\s?[\(\[{]\s?(?:dot|punkt|point)\s?[\)\]}]\s?)[\w-]+)+",
    re.IGNORECASE,
)

#: IBAN lengths per country (the countries our users most likely bank in).
IBAN_LENGTHS = {
    "DE": 22, "AT": 20, "CH": 21, "NL": 18, "BE": 16, "FR": 27, "LU": 20, "PL": 28,
    "IT": 27, "ES": 24, "GB": 22, "IE": 22, "TR": 26, "UA": 29, "GR": 27, "RO": 24,
    "BG": 22, "HR": 21, "CZ": 24, "SK": 24, "DK": 18, "SE": 24, "NO": 15, "FI": 18,
    "PT": 25, "HU": 28, "LT": 20, "LV": 21, "EE": 20, "SI": 19, "SA": 24, "AE": 23,
    "JO": 30, "LB": 28, "SY": 24, "IQ": 23, "EG": 29, "TN": 24, "MA": 28,
}  # fmt: skip
_IBAN_CANDIDATE = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){10,30}")
_IBAN_KEYWORD = re.compile(r"iban|آیبان|ایبان|آی بان|ايبان|айбан|ібан", re.IGNORECASE)


def _iban_valid(compact: str) -> bool:
    """ISO 13616 check digits (mod 97)."""
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def find_ibans(text: str) -> Iterator[tuple[int, int]]:
    """IBANs with valid check digits, or after the word IBAN in the right length."""
    for match in _IBAN_CANDIDATE.finditer(text):
        positions = [match.start() + i for i, c in enumerate(match.group()) if c != " "]
        compact = "".join(text[p] for p in positions).upper()
        country = compact[:2]
        lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else range(30, 14, -1)
        keyword = _IBAN_KEYWORD.search(text[max(0, match.start() - 25) : match.start()])
        for length in lengths:
            if len(compact) >= length and (_iban_valid(compact[:length]) or keyword):
                yield match.start(), positions[length - 1] + 1
                break


# A phone number: optional +/00 prefix, then digits with the separators people type.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\s?(?:\(\s?0?\s?\)\s?)?\(?\d[\d \-/().]{4,22}\d(?![\d])")
_PHONE_KEYWORD_WINDOW = 30


def _digit_count(text: str) -> int:
    return sum(c.isdigit() for c in text)


def phone_digits(text: str) -> str:
    """A phone number as national digits ("+49 201 88" -> "020188"), for comparison."""
    digits = "".join(c for c in fold_digits(text) if c.isdigit())
    stripped = text.strip()
    if stripped.startswith("+49") or digits.startswith("0049"):
        digits = "0" + digits[4 if digits.startswith("0049") else 2 :]
        digits = digits.replace("00", "0", 1) if digits.startswith("00") else digits
    return digits


def find_phones(
    text: str, keyword: re.Pattern[str], allowed: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int]]:
    """Phone numbers in ``text``.

    International (+/00) or national (0...) numbers with 7-15 digits, or any 6-15
    digit string right after a phone word ("Handy: 1761234567").

    Numbers in ``allowed`` (the public office directory, as :func:`phone_digits`)
    are not personal data and are skipped. Dates are left to the date finder.
    """
    for match in _PHONE.finditer(text):
        raw = match.group().rstrip(" -/(.")
        start = match.start() + (len(raw) - len(raw.lstrip()))
        raw = raw.strip()
        end = start + len(raw)
        if raw.count("(") != raw.count(")") and raw.startswith("("):
            start, raw = start + 1, raw[1:]
        digits = _digit_count(raw)
        if is_date(raw) or not 6 <= digits <= 15:
            continue
        if phone_digits(raw) in allowed:
            continue
        international = raw.startswith(("+", "00"))
        national = raw.startswith("0") or raw.startswith("(0")
        context = keyword.search(text[max(0, start - _PHONE_KEYWORD_WINDOW) : start])
        if (international and digits >= 9) or (national and digits >= 7) or context:
            yield start, end


# Dates: numeric, or with a month name of any language (data/privacy/<lang>.yml).
_NUMERIC_DATE = (
    r"\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:\d{4}|\d{2})|\d{4}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{1,2}"
)


@cache
def _date() -> re.Pattern[str]:
    """The date pattern, built once from the month names of every language."""
    # Longest first, so that "sept" is tried before "sep" and "mart" before "mar".
    months = "|".join(re.escape(m) for m in sorted(word_lists().months, key=lambda m: (-len(m), m)))
    word_date = (
        rf"\d{{1,2}}(?:\.|er|st|nd|rd|th|\s?e)?\s*(?:of\s+|de\s+)?(?:{months})\.?,?\s*(?:\d{{4}}|\d{{2}})"
        rf"(?:\s?(?:г\.?|года|год|року|р\.|م|ش|هـ)(?!\w))?"
        rf"|(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    )
    return re.compile(rf"(?<![\w./-])(?:{_NUMERIC_DATE}|{word_date})(?![\w])", re.IGNORECASE)


_WHOLE_DATE = re.compile(rf"(?:{_NUMERIC_DATE})$")


def is_date(text: str) -> bool:
    """True if ``text`` is just a numeric date ("01.02.1990")."""
    return bool(_WHOLE_DATE.match(text.strip()))


def find_dates(text: str) -> Iterator[tuple[int, int]]:
    """Full dates: numeric (12.03.1990, 1990-03-12, ۱۳۶۹/۰۵/۱۲) or with a month name."""
    for match in _date().finditer(text):
        yield match.start(), match.end()


def find_emails(text: str) -> Iterator[tuple[int, int]]:
    """E-mail addresses, also the spelled-out "name (at) mail (dot) de" forms."""
    for match in EMAIL.finditer(text):
        yield match.start(), match.end()
