"""The German UI speaks German everywhere; the directory page is a filterable table."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml

from bot.console.i18n import CODES, DE, EN, translator
from bot.console.intents import known_intents
from bot.offices.validation import OFFICE_TYPES
from bot.paths import PROJECT_ROOT
from tests.console.conftest import csrf_of, login
from tests.console.test_pages import first_link

#: Code names that must never be visible text on a German page.
CODE_WORDS = re.compile(
    r"\b(find_office|ask_[a-z_]+|nlu_fallback|request_human|unsupported_language|"
    r"employment_agency|integration_center|immigration_office|socketio|"
    r"wrong_answer|missing_information|outdated_contact|login-failed|user-create|"
    r"reviewer|office_type|postal_code)\b"
)
ENGLISH = re.compile(
    r"\b(no phone|last verified|Wrong username|Something went wrong|a number from|"
    r"one of|not a valid value|Conversations|Misunderstood|Log out|Language)\b"
)


class VisibleText(HTMLParser):
    """Text a person reads: not in <code>, <script>, <style>; no attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("code", "script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("code", "script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_every_code_has_a_name_in_both_languages():
    for intent in (*known_intents(), "nlu_fallback"):
        assert f"intent:{intent}" in CODES, intent
    for office_type in OFFICE_TYPES:
        assert f"office:{office_type}" in CODES, office_type
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        for slot in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("slots") or {}:
            assert f"slot:{slot}" in CODES, slot
    channels = set()
    for path in (PROJECT_ROOT / "bot" / "channels").glob("*.py"):
        channels |= set(re.findall(r'def name\(.*?\n\s+return "(\w+)"', path.read_text(), re.S))
    assert channels and all(f"channel:{c}" in CODES for c in channels), channels
    for key in CODES:
        assert DE[key] and EN[key]
    t = translator("de")
    assert t("channel:socketio") == "Web-Chat-Widget" and t("office:employment_agency") == (
        "Agentur für Arbeit"
    )
    assert t("below: a number from 0 to 1, e.g. 0.5; page: a whole number from 1 to 1000000") == (
        "Niedrigste Konfidenz unter: eine Zahl von 0 bis 1, z. B. 0.5; "
        "Seite: eine ganze Zahl von 1 bis 1000000"
    )
    assert t("intent:brand_new_intent") == "brand_new_intent"  # unknown codes stay readable


async def test_german_pages_show_no_code_names_or_english(console):
    assert (await login(console, "alice")).status == 303
    await console.get("/staff/conversations?ui=de")
    key = await first_link(console)
    token = await csrf_of(console, f"/staff/conversations/{key}")
    await console.post(f"/staff/conversations/{key}/tags", data={"csrf": token, "tag": "praise"})
    await console.post(
        "/staff/users",
        data={"csrf": token, "op": "create", "username": "alice", "password": "x" * 12},
    )
    pages = {}
    for path in (
        "/staff/conversations",
        "/staff/conversations?below=2&language=xx",
        f"/staff/conversations/{key}",
        "/staff/misunderstood?status=all",
        "/staff/analytics?from=2026-09-20&to=2026-09-30",
        "/staff/directory",
        "/staff/users?message=username%3A+this+name+is+taken",
        "/staff/audit",
        "/staff/account",
        "/staff/misunderstood?page=x",
    ):
        pages[path] = visible(await (await console.get(path)).text())
    for path, text in pages.items():
        assert not CODE_WORDS.search(text), (path, CODE_WORDS.search(text).group(0))
        assert not ENGLISH.search(text), (path, ENGLISH.search(text).group(0))
    assert "Web-Chat-Widget" in pages["/staff/conversations"]
    assert "Sprache: eins von:" in pages["/staff/conversations?below=2&language=xx"]
    assert (
        "Benutzername: dieser Name ist schon vergeben"
        in pages["/staff/users?message=username%3A+this+name+is+taken"]
    )
    assert "Anmeldung fehlgeschlagen" not in pages["/staff/audit"]  # none failed here
    assert "Gespräch geöffnet" in pages["/staff/audit"]
    assert "Seite: eine ganze Zahl" in pages["/staff/misunderstood?page=x"]


async def test_directory_is_a_filterable_table(console):
    assert (await login(console, "alice")).status == 303
    page = await (await console.get("/staff/directory")).text()
    rows = re.findall(r'<tr data-city="([^"]+)">', page)
    assert "Essen" in rows and "Bielefeld" in rows
    assert "Agentur für Arbeit" in visible(page) and 'title="keine Telefonnummer"' in page
    only = await (await console.get("/staff/directory?city=Essen&type=jobcenter")).text()
    assert re.findall(r'<tr data-city="([^"]+)">', only) == ["Essen"]
    gap_rows = re.findall(r'<tr data-id="([^"]+)">', only)
    assert gap_rows and all("essen" in r for r in gap_rows)
    old = await (await console.get("/staff/directory?gap=old")).text()
    assert len(re.findall(r'<tr data-id="', old)) >= 1
    for bad in ("?city=Atlantis", "?type=castle", "?gap=ghosts"):
        assert (await console.get("/staff/directory" + bad)).status == 400
