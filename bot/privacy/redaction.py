"""Find personal data in a user message and replace it by typed placeholders.

``redact("Ruf mich an: 0176 1234567")`` gives ``"Ruf mich an: [PHONE]"``. Categories:
PHONE, EMAIL, IBAN, DOB (a date next to a birth word), ADDRESS (street + house number),
CASE_NUMBER (a number after a case/file/customer-number word, or a known shape such
as the Jobcenter's BG-Nummer) and NAME (a person's name after a phrase that introduces
one: "ich heiße …", "my name is …", "меня зовут …", "اسمي …"; names elsewhere cannot be
told from words reliably and stay). Postcodes, cities, ages and dates that are not birth dates
stay: staff need them to see what went wrong, and they do not identify a person alone.
Phone numbers and e-mail addresses of the public office directory are not personal data
and stay too (users quote what the bot told them).

Character shapes come from regexes.py, word sequences from token_patterns.py (spaCy
Matcher); this module merges them (a span found twice keeps the stronger category).
The words that mark personal data are per-language data: data/privacy/<lang>.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Token

from bot.privacy import regexes, token_patterns
from bot.privacy.wordlists import word_lists

PLACEHOLDERS = {
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "IBAN": "[IBAN]",
    "DOB": "[DOB]",
    "ADDRESS": "[ADDRESS]",
    "CASE_NUMBER": "[CASE_NUMBER]",
    "NAME": "[NAME]",
}
CATEGORIES = tuple(PLACEHOLDERS)
# When two findings overlap, the earlier category wins ("Kundennummer 0123456789" is a
# case number even though it looks like a phone number).
PRIORITY = ("IBAN", "EMAIL", "CASE_NUMBER", "DOB", "PHONE", "ADDRESS", "NAME")
#: Known shapes of German case numbers, found without a keyword.
CASE_SHAPES = re.compile(
    r"(?<![\w])(?:\d{5}\s?BG\s?\d{7}"  # Jobcenter Bedarfsgemeinschaft
    r"|\d{3}\s?[A-Z]\s?\d{6}"  # Agentur für Arbeit Kundennummer
    r"|\d{2}\s?\d{6}\s?[A-Z]\s?\d{3})(?![\w])"  # Rentenversicherungsnummer
)
MAX_WORDS_BEFORE_CASE_NUMBER = 5
CLAUSE_ENDS = frozenset({".", ",", ";", "!", "?", "؟", "،"})
YEAR = re.compile(r"^(?:19|20)\d\d$")
#: Symbols allowed between a case keyword and its number, besides the words of
#: ``case_fillers`` ("Aktenzeichen: 123", "№ 5").
CASE_FILLER_SYMBOLS = frozenset({":", "-", "#", "№", "=", ".", "—"})
#: A date this many tokens before or after a birth word counts as a date of birth.
BIRTH_WINDOW_BEFORE = 7
BIRTH_WINDOW_AFTER = 4


@cache
def _phone_keyword() -> re.Pattern[str]:
    """Any phone word of any language ("Tel", "номер", "رقم")."""
    keywords = sorted(word_lists().phone_keywords)
    return re.compile("|".join(re.escape(k) for k in keywords), re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` of category ``label``."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    """A redacted text and the findings (offsets into the original text)."""

    original: str
    text: str
    findings: tuple[Finding, ...]

    def position(self, offset: int, *, end: bool = False) -> int:
        """Where character ``offset`` of the original text is in the redacted text.

        Offsets inside a finding map to the start (or, with ``end``, the end) of its
        placeholder, so entity spans stay consistent with the redacted text.
        """
        shift = 0
        for f in self.findings:
            placeholder = len(PLACEHOLDERS[f.label])
            if offset <= f.start or (end and offset == f.start):
                break
            if offset < f.end or (end and offset == f.end):
                return f.start + shift + (placeholder if end else 0)
            shift += placeholder - (f.end - f.start)
        return offset + shift

    def covers(self, start: int, end: int) -> Finding | None:
        """The finding that overlaps ``[start, end)`` of the original text, if any."""
        for f in self.findings:
            if start < f.end and f.start < end:
                return f
        return None


@cache
def directory_contacts() -> frozenset[str]:
    """Phone numbers (national digits) and e-mail addresses of the office directory."""
    from bot.offices.directory import load_directory

    allowed: set[str] = set()
    for office in load_directory().offices:
        for attr in ("phone", "email"):
            values = getattr(office, attr, None) or []
            for value in [values] if isinstance(values, str) else values:
                allowed.add(regexes.phone_digits(value) if attr == "phone" else value.lower())
    return frozenset(allowed)


def find(text: str, allowed: frozenset[str] | None = None) -> list[Finding]:
    """All personal data in ``text``, sorted and without overlaps."""
    allowed = directory_contacts() if allowed is None else allowed
    folded = regexes.fold_digits(text)
    document = token_patterns.doc(folded)
    found: list[Finding] = []
    found += [Finding("IBAN", s, e) for s, e in regexes.find_ibans(folded)]
    found += [
        Finding("EMAIL", s, e)
        for s, e in regexes.find_emails(folded)
        if folded[s:e].lower() not in allowed
    ]
    found += [Finding("CASE_NUMBER", s, e) for s, e in _case_numbers(folded, document)]
    found += [Finding("DOB", s, e) for s, e in _birth_dates(folded, document)]
    found += [
        Finding("PHONE", s, e) for s, e in regexes.find_phones(folded, _phone_keyword(), allowed)
    ]
    found += [Finding("ADDRESS", s, e) for s, e in token_patterns.addresses(document)]
    found += [Finding("NAME", s, e) for s, e in token_patterns.names(document)]
    return _resolve(found)


def _resolve(found: list[Finding]) -> list[Finding]:
    """Drop findings that overlap a finding of a stronger category (or a longer one)."""
    ranked = sorted(found, key=lambda f: (PRIORITY.index(f.label), -(f.end - f.start)))
    kept: list[Finding] = []
    for f in ranked:
        if all(f.end <= k.start or k.end <= f.start for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _case_numbers(text: str, document) -> list[tuple[int, int]]:
    """Numbers after a case keyword, plus numbers in a known case-number shape."""
    spans = [(m.start(), m.end()) for m in CASE_SHAPES.finditer(text)]
    fillers = word_lists().case_fillers | CASE_FILLER_SYMBOLS
    for index in token_patterns.case_keyword_ends(document):
        tokens = list(document[index : index + 16])
        while tokens and (tokens[0].lower_ in fillers or tokens[0].is_punct):
            tokens.pop(0)
        # A few words may stand between ("Aktenzeichen meiner Akte 5 K 1/23"), not a clause.
        for _ in range(MAX_WORDS_BEFORE_CASE_NUMBER):
            if not tokens or any(c.isdigit() for c in tokens[0].text):
                break
            if tokens[0].text in CLAUSE_ENDS:
                tokens = []
                break
            tokens.pop(0)
        value: list[Token] = []
        for token in tokens:
            has_digit = any(c.isdigit() for c in token.text)
            separator = token.text in ("-", "/", ".") and value
            code = token.text.isalpha() and token.text.isupper() and len(token.text) <= 3
            if has_digit or separator or (code and value is not None):
                value.append(token)
                continue
            break
        while value and not any(c.isdigit() for c in value[-1].text):
            value.pop()
        if value and len(value) == 1 and YEAR.match(value[0].text):
            continue  # "dossier de 2023": a year, not a number
        if value and sum(c.isdigit() for t in value for c in t.text) >= 3:
            spans.append((value[0].idx, value[-1].idx + len(value[-1].text)))
    return spans


def _birth_dates(text: str, document) -> list[tuple[int, int]]:
    """Dates within a few tokens of a birth word."""
    births = token_patterns.birth_tokens(document)
    if not births:
        return []
    spans = []
    for start, end in regexes.find_dates(text):
        span = document.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        if any(
            span.start - BIRTH_WINDOW_BEFORE <= b < span.start
            or span.end <= b < span.end + BIRTH_WINDOW_AFTER
            for b in births
        ):
            spans.append((start, end))
    return spans


def redact(text: str, allowed: frozenset[str] | None = None) -> Redaction:
    """``text`` with every finding replaced by its placeholder."""
    findings = tuple(find(text, allowed))
    parts, last = [], 0
    for f in findings:
        parts += [text[last : f.start], PLACEHOLDERS[f.label]]
        last = f.end
    parts.append(text[last:])
    return Redaction(original=text, text="".join(parts), findings=findings)
