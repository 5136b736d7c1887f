"""Per-language glossary: every response uses one name per office and concept.

data/glossary/<lang>.yml names the preferred form of each office type and concept and the
variants that must not appear (see data/glossary/README.md). This scans every response
text, button title and office-type label/description of data/responses/**/<lang>.yml.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from bot.languages import SUPPORTED
from bot.offices.validation import NATIONAL_TYPES, OFFICE_TYPES
from bot.paths import DATA_DIR
from bot.responses import language_paths

GLOSSARY_DIR = DATA_DIR / "glossary"
# Offices and concepts every language must name ; a language may add its own.
COMMON_TERMS = (OFFICE_TYPES - NATIONAL_TYPES - {"local_specialty"}) | {
    "apprenticeship",
    "integration_course",
    "job_language_course",
    "buergergeld",
}


def load_glossary(code: str) -> dict[str, Any]:
    """The glossary of language ``code``."""
    with (GLOSSARY_DIR / f"{code}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def compile_entry(entry: str) -> re.Pattern[str]:
    """A forbidden entry as a pattern: ``re:`` marks a regex, anything else is literal."""
    if entry.startswith("re:"):
        return re.compile(entry[3:])
    return re.compile(re.escape(entry))


def forbidden_patterns(glossary: dict[str, Any]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(concept, entry, pattern) for every forbidden variant, spelling rules included."""
    found = [
        (concept, entry, compile_entry(entry))
        for concept, term in glossary["terms"].items()
        for entry in term.get("forbidden", [])
    ]
    for entry in (glossary.get("spelling") or {}).get("forbidden", []):
        found.append(("spelling", entry, compile_entry(entry)))
    return found


def response_texts(code: str) -> list[tuple[str, str]]:
    """(where, text) for everything a person reads in language ``code``."""
    items: list[tuple[str, str]] = []
    for path in language_paths(code):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        where = path.relative_to(DATA_DIR).as_posix()
        for key, variations in (data.get("responses") or {}).items():
            for variation in variations:
                items.append((f"{where}:{key}", variation.get("text", "")))
                for button in variation.get("buttons") or []:
                    items.append((f"{where}:{key} button", button["title"]))
        for key, office in (data.get("office_types") or {}).items():
            for field in ("label", "description"):
                items.append((f"{where}:office_types.{key}.{field}", office[field]))
    return items


def findings(glossary: dict[str, Any], items: list[tuple[str, str]]) -> list[str]:
    """One line per forbidden variant found in ``items``."""
    problems = []
    for where, text in items:
        for concept, entry, pattern in forbidden_patterns(glossary):
            match = pattern.search(text)
            if match:
                use = glossary["terms"].get(concept, {}).get("use")
                hint = f"use {use!r}, not {entry!r}" if use else f"rule {entry!r}"
                problems.append(f"{where}: {match.group(0)!r} ({concept}: {hint})")
    return problems


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_language_has_a_glossary_with_the_common_terms(code):
    glossary = load_glossary(code)
    assert glossary["language"] == code
    assert COMMON_TERMS <= set(glossary["terms"]), COMMON_TERMS - set(glossary["terms"])
    for concept, term in glossary["terms"].items():
        assert term["use"].strip(), concept
        # A preferred form that is also forbidden would make the check unsatisfiable.
        assert not any(p.search(term["use"]) for _, _, p in forbidden_patterns(glossary)), concept


@pytest.mark.parametrize("code", SUPPORTED)
def test_no_response_uses_a_forbidden_variant(code):
    assert findings(load_glossary(code), response_texts(code)) == []


@pytest.mark.parametrize(
    "code,concept",
    [(code, concept) for code in SUPPORTED for concept in sorted(load_glossary(code)["terms"])],
)
def test_the_preferred_form_is_what_the_texts_use(code, concept):
    # Keeps the glossary honest: it must describe the texts, not an ideal nobody wrote.
    use = load_glossary(code)["terms"][concept]["use"].casefold()
    assert any(use in text.casefold() for _, text in response_texts(code)), f"{code}: {use!r}"


@pytest.mark.parametrize(
    "code,text,expected",
    [
        ("ar", "اسأل مركز العمل في مدينتك.", "مركز العمل"),
        ("ar", "يساعدك الـ Jobcenter.", "الـ Jobcenter"),
        ("fa", "لطفا بنویسید", "لطفا"),
        ("fa", "رد شدن", "رد شدن"),
        ("tr", "Vatandaşlık parası alıyorsanız", "Vatandaşlık parası"),
        ("ru", "дам общегерманские службы", "общегерманские службы"),
        ("uk", "Запитайте в консультації для мігрантів", "консультації для мігрантів"),
        ("fr", "Une formation en alternance", "formation en alternance"),
        ("de", "Gehen Sie zum Arbeitsamt.", "Arbeitsamt"),
    ],
)
def test_a_planted_variant_is_reported(code, text, expected):
    problems = findings(load_glossary(code), [("planted", text)])
    assert len(problems) == 1 and repr(expected) in problems[0]


@pytest.mark.parametrize(
    "code,text",
    [
        ("fa", "لطفاً بنویسید، مثلاً ۴۵۱۲۷"),
        ("fa", "در فبروری (فوریه) ۲۰۲۶"),
        ("ar", "اسأل الجوب سنتر (Jobcenter)."),
        ("de", "Die Agentur für Arbeit und das Kommunale Integrationszentrum"),
    ],
)
def test_preferred_forms_are_not_reported(code, text):
    assert findings(load_glossary(code), [("ok", text)]) == []
