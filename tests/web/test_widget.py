"""The widget in a real browser against the real stack (Rasa + actions + web service)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.languages import RTL, SUPPORTED
from bot.paths import DATA_DIR, PROJECT_ROOT
from bot.responses import language_file
from bot.web.strings import load_strings
from tests.helpers import texts
from tests.stack import Stack, essen_jobcenter_phones
from tests.web.conftest import BOT_TIMEOUT_MS
from tools.processes import free_port

STRINGS = load_strings(DATA_DIR / "widget")
ARABIC = re.compile("[\u0600-\u06ff]")
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"

expect.set_options(timeout=BOT_TIMEOUT_MS)


def first_parts(language: str, response: str) -> list[str]:
    """What the first bubble of a response shows (Rasa splits texts at blank lines)."""
    return [t.strip().split("\n\n")[0] for t in texts(language, response)]


def one_of(options: list[str]) -> re.Pattern:
    return re.compile("^(" + "|".join(re.escape(o) for o in options) + ")$")


def open_widget(page: Page) -> None:
    page.click(".ww-launcher")
    page.locator(".ww-bot").first.wait_for()


def choose_language(page: Page, code: str) -> None:
    page.click("[aria-controls=ww-langs]")
    page.click(f"#ww-langs button[lang={code}]")


def session_id(page: Page, storage: str = "sessionStorage") -> str | None:
    return page.evaluate(f"{storage}.getItem('wegweiser.session')")


def is_rtl(locator) -> bool:
    return locator.evaluate(
        "e => e.matches(':dir(rtl)') && getComputedStyle(e).direction === 'rtl'"
    )


def storage(page: Page) -> dict[str, str]:
    """Everything the widget left in this site's storage (any script of the site can read it)."""
    return page.evaluate(
        "() => Object.fromEntries([localStorage, sessionStorage].flatMap("
        "s => Object.keys(s).map(k => [k, s.getItem(k)])))"
    )


def wait_for_reply(page: Page, bots_before: int, quiet_ms: int = 2500) -> int:
    """Wait until the bot has answered and then been quiet; returns the bot bubble count."""
    page.locator(".ww-bot").nth(bots_before).wait_for()
    count = page.locator(".ww-bot").count()
    while True:
        page.wait_for_timeout(quiet_ms)
        now = page.locator(".ww-bot").count()
        if now == count and page.locator(".ww-typing").is_hidden():
            return now
        count = now


def tracker_events(db: Path, sender: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)
        ).fetchone()[0]


def test_arabic_office_card_renders_right_to_left_and_survives_a_reload(page: Page):
    open_widget(page)
    choose_language(page, "ar")
    root = page.locator(".ww-root")
    expect(root).to_have_attribute("dir", "rtl")
    expect(root).to_have_attribute("lang", "ar")
    confirmation = page.locator(".ww-bot .ww-text").nth(1)
    expect(confirmation).to_have_text(one_of(first_parts("ar", "utter_language_set")))
    assert is_rtl(page.locator(".ww-bot").nth(1))

    page.fill("#ww-input", "أين الجوب سنتر في إيسن؟")
    page.press("#ww-input", "Enter")
    card_bubble = page.locator(".ww-bot:has(.ww-card)").first
    card_bubble.wait_for()
    assert is_rtl(card_bubble)
    # The direction comes from the reply's language, not from the German office name
    # the bubble opens with (dir="auto" made such a bubble left-to-right).
    expect(card_bubble).to_have_attribute("dir", "rtl")
    expect(card_bubble).to_have_attribute("lang", "ar")
    assert not ARABIC.search(card_bubble.locator(".ww-card-name").inner_text())
    # The source date stands apart from the link, on its left in RTL (not "(2025)bamf.de").
    source = card_bubble.locator(".ww-card-source")
    link_box = source.locator("a").bounding_box()
    date_box = source.locator(".ww-card-date").bounding_box()
    assert date_box["x"] + date_box["width"] < link_box["x"] - 1, (date_box, link_box)
    phone = card_bubble.locator("a[href^='tel:']")
    assert phone.inner_text() in essen_jobcenter_phones()
    assert phone.get_attribute("href").startswith("tel:+49201")
    # the number keeps its digit order inside the Arabic text
    assert phone.evaluate("e => getComputedStyle(e).direction") == "ltr"
    expect(page.locator(".ww-live")).to_contain_text(phone.inner_text())

    session = session_id(page)
    assert session
    # Nothing of the conversation is in the site's storage: only its id and settings.
    kept = storage(page)
    assert set(kept) <= {"wegweiser.session", "wegweiser.lang", "wegweiser.open"}, kept
    assert not any(ARABIC.search(v) or "Essen" in v for v in kept.values()), kept
    page.reload()
    expect(page.locator(".ww-panel")).to_be_visible()
    expect(page.locator(".ww-msg")).to_have_count(0)  # the transcript lived in memory only
    expect(page.locator(".ww-note")).to_have_text(STRINGS["ar"]["earlier_not_kept"])
    assert session_id(page) == session
    # The server-side conversation continues too: a bare city name keeps the chosen
    # Arabic, although this browser is German (a new conversation would answer in German).
    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "Essen")
    page.press("#ww-input", "Enter")
    newest = page.locator(".ww-bot").nth(bots)
    newest.wait_for()
    assert ARABIC.search(newest.inner_text()), newest.inner_text()
    assert is_rtl(newest)
    # "Essen" is Latin, but it was written in the Arabic conversation
    expect(page.locator(".ww-user").last).to_have_attribute("dir", "rtl")


def test_transcripts_of_earlier_versions_are_removed_from_storage(new_context, widget_stack):
    context = new_context()
    context.add_init_script(
        'sessionStorage.setItem(\'wegweiser.log\', \'[{"from":"user","text":"x"}]\');'
        "localStorage.setItem('wegweiser.log', '[]');"
    )
    page = context.new_page()
    page.goto(widget_stack.web_url + "/")
    page.locator(".ww-launcher").wait_for()
    assert "wegweiser.log" not in storage(page)


def test_widget_follows_a_language_switch_by_typing(page: Page):
    """German UI (the browser's language); the user writes Persian: the widget mirrors."""
    open_widget(page)
    root = page.locator(".ww-root")
    expect(root).to_have_attribute("lang", "de")
    expect(root).to_have_attribute("dir", "ltr")
    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "چطور میتوانم در بوخوم کلاس زبان آلمانی پیدا کنم؟")
    page.press("#ww-input", "Enter")
    page.locator(".ww-bot").nth(bots).wait_for()
    expect(root).to_have_attribute("lang", "fa")
    expect(root).to_have_attribute("dir", "rtl")
    # The message was Persian: its bubble follows the language the bot recognised.
    user = page.locator(".ww-user").last
    expect(user).to_have_attribute("lang", "fa")
    expect(user).to_have_attribute("dir", "rtl")
    expect(page.locator(".ww-bot").nth(bots)).to_have_attribute("dir", "rtl")
    expect(page.locator("#ww-langs button[lang=fa]")).to_have_attribute("aria-current", "true")
    expect(page.locator("#ww-input")).to_have_attribute("placeholder", STRINGS["fa"]["placeholder"])


def tab_to(page: Page, selector: str, backwards: bool = False, limit: int = 40) -> None:
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {selector}"
            return
    raise AssertionError(f"{selector} not reachable with {key}")


def test_keyboard_only(page: Page):
    de = STRINGS["de"]
    tab_to(page, ".ww-launcher")
    page.keyboard.press("Enter")
    expect(page.locator("#ww-input")).to_be_focused()
    page.locator(".ww-reply").first.wait_for()

    page.keyboard.type("Wo ist das Jobcenter in Essen?")
    page.keyboard.press("Enter")
    page.locator(".ww-card").wait_for()

    tab_to(page, "[aria-controls=ww-langs]", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#ww-langs button[lang=de]")).to_be_focused()
    tab_to(page, "#ww-langs button[lang=uk]")
    page.keyboard.press("Enter")
    expect(page.locator(".ww-root")).to_have_attribute("lang", "uk")
    expect(page.locator("[aria-controls=ww-langs]")).to_be_focused()
    expect(page.locator(".ww-bot .ww-text").last).to_have_text(
        one_of(first_parts("uk", "utter_language_set"))
    )

    # a quick-reply button, by keyboard
    bots = page.locator(".ww-bot").count()
    tab_to(page, ".ww-reply")
    title = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator(".ww-user").last).to_contain_text(title)
    # The pressed button is gone; focus goes to the message field, not back to the page.
    expect(page.locator("#ww-input")).to_be_focused()
    page.locator(".ww-bot").nth(bots).wait_for()
    expect(page.locator("#ww-input")).to_be_focused()

    # the options disclosure and Escape
    tab_to(page, "[aria-controls=ww-options]", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#ww-options")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#ww-options")).to_be_hidden()
    expect(page.locator("[aria-controls=ww-options]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".ww-panel")).to_be_hidden()
    expect(page.locator(".ww-launcher")).to_be_focused()
    expect(page.locator(".ww-launcher")).to_have_text(STRINGS["uk"]["launcher"])
    assert de["launcher"] != STRINGS["uk"]["launcher"]


def test_live_region_labels_and_contrast(page: Page):
    open_widget(page)
    live = page.locator(".ww-live[aria-live=polite]")
    expect(live).to_have_count(1)
    expect(live).to_contain_text(page.locator(".ww-bot .ww-text").first.inner_text()[:40])
    page.click("[aria-controls=ww-options]")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('.ww-root button, .ww-root input')]
            .filter(e => e.offsetParent !== null)
            .filter(e => !(e.textContent.trim() || e.getAttribute('aria-label') ||
                           (e.labels && e.labels.length)))
            .map(e => e.outerHTML)"""
    )
    assert unlabelled == []
    ratios = page.evaluate(
        """() => {
        const rgb = c => c.match(/[\\d.]+/g).map(Number);
        const lum = ([r, g, b]) => {
          const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const background = e => {
          for (; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        const ratio = (fg, bg) => {
          const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        };
        const out = {};
        const sel = ['.ww-header h2', '.ww-subtitle', '.ww-tool', '.ww-privacy', '.ww-bot .ww-text',
                     '.ww-reply', '.ww-send', '#ww-options label', '.ww-hint', '.ww-user'];
        for (const s of sel) {
          const e = document.querySelector(s);
          if (e) out[s] = ratio(rgb(getComputedStyle(e).color).slice(0, 3), background(e));
        }
        const input = document.querySelector('#ww-input');
        out.placeholder = ratio(rgb(getComputedStyle(input, '::placeholder').color).slice(0, 3),
                                background(input));
        return out;
      }"""
    )
    assert len(ratios) >= 10, ratios
    low = {k: round(v, 2) for k, v in ratios.items() if v < 4.5}
    assert not low, low


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def inside_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )


@pytest.mark.parametrize(
    "viewport, scale",
    [({"width": 320, "height": 640}, 1), ({"width": 640, "height": 400}, 2)],
    ids=["320px", "200%-zoom"],
)
def test_small_screens_and_zoom(new_context, widget_stack: Stack, viewport, scale):
    """320 CSS px (a small phone) and 1280x800 at 200% zoom (= 640x400 CSS px)."""
    page = new_context(locale="fa-IR", viewport=viewport, device_scale_factor=scale).new_page()
    page.goto(widget_stack.web_url + "/")
    assert no_horizontal_scroll(page)
    assert inside_viewport(page, ".ww-launcher")
    open_widget(page)
    expect(page.locator(".ww-root")).to_have_attribute("dir", "rtl")
    page.fill("#ww-input", "جاب سنتر در اسن کجاست؟")
    page.press("#ww-input", "Enter")
    page.locator(".ww-card").wait_for()
    assert no_horizontal_scroll(page)
    for selector in (".ww-panel", "#ww-input", ".ww-send", ".ww-close", "[aria-controls=ww-langs]"):
        assert inside_viewport(page, selector), selector
    log_overflow = page.evaluate(
        "(e => e.scrollWidth <= e.clientWidth)(document.querySelector('.ww-log'))"
    )
    assert log_overflow


def test_reconnects_after_a_dropped_connection(page: Page):
    open_widget(page)
    session = session_id(page)
    bubbles = page.locator(".ww-msg").count()
    page.evaluate("window.Wegweiser.socket.io.engine.close()")  # the transport drops
    expect(page.locator(".ww-status")).to_be_hidden()  # connected again
    assert page.locator(".ww-msg").count() == bubbles
    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "Wo ist die Ausländerbehörde in Bochum?")
    page.press("#ww-input", "Enter")
    page.locator(".ww-bot").nth(bots).wait_for()
    assert session_id(page) == session
    assert page.evaluate("window.Wegweiser.socket.connected")


def test_connects_over_websocket_without_long_polling(new_context, widget_stack: Stack):
    page = new_context().new_page()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "transport=polling" in r.url else None)
    page.goto(widget_stack.web_url + "/")
    open_widget(page)
    assert page.evaluate("window.Wegweiser.socket.io.engine.transport.name") == "websocket"
    assert polls == []  # nothing a second Rasa worker could receive out of turn


BLOCK_WEBSOCKET = """(() => {
  const Real = window.WebSocket;
  function Refused(url, protocols) { return new Real("ws://127.0.0.1:PORT/", protocols); }
  Refused.prototype = Real.prototype;
  Object.assign(Refused, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Refused;
})();"""


def test_falls_back_to_long_polling_where_websocket_is_blocked(new_context, widget_stack: Stack):
    context = new_context()
    # As behind a proxy that refuses WebSocket: every connection goes to a closed port, so
    # the browser reports an error, as it does for a refused upgrade.
    context.add_init_script(BLOCK_WEBSOCKET.replace("PORT", str(free_port())))
    page = context.new_page()
    page.goto(widget_stack.web_url + "/")
    open_widget(page)  # the greeting arrives
    assert page.evaluate("window.Wegweiser.socket.io.engine.transport.name") == "polling"
    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "Wo ist das Jobcenter in Essen?")
    page.press("#ww-input", "Enter")
    expect(page.locator(".ww-bot").nth(bots)).to_contain_text("Essen")


def test_new_conversation_and_delete_tell_the_truth(page: Page, widget_stack: Stack):
    de = STRINGS["de"]
    open_widget(page)
    first = session_id(page)
    page.click("[aria-controls=ww-options]")
    page.get_by_role("button", name=de["new_conversation"]).click()
    expect(page.locator(".ww-note")).to_have_text(de["new_started"])
    page.locator(".ww-bot").first.wait_for()  # the new conversation's greeting
    second = session_id(page)
    assert second and second != first
    expect(page.locator(".ww-user")).to_have_count(0)

    page.click("[aria-controls=ww-options]")
    page.get_by_role("button", name=de["delete_conversation"]).click()
    expect(page.locator(".ww-confirm")).to_be_visible()
    page.get_by_role("button", name=de["delete_confirm"]).click()
    note = page.locator(".ww-note")
    expect(note).to_have_text(one_of([de["deleted"], de["delete_unconfirmed"]]))
    expect(page.locator(".ww-live")).to_contain_text(note.inner_text())
    page.locator(".ww-bot").first.wait_for()
    assert session_id(page) not in (first, second)
    # "deleted" is only claimed when the server really has no trace of the conversation
    if note.inner_text() == de["deleted"]:
        assert tracker_events(widget_stack.tracker_db, second) == 0
    else:
        assert tracker_events(widget_stack.tracker_db, second) > 0


def test_remember_me_keeps_the_conversation_across_tabs(new_context, widget_stack: Stack):
    context = new_context()
    first = context.new_page()
    first.goto(widget_stack.web_url + "/")
    open_widget(first)
    session = session_id(first)
    assert session_id(first, "localStorage") is None  # default: this tab only

    other = context.new_page()
    other.goto(widget_stack.web_url + "/")
    open_widget(other)
    assert session_id(other) != session  # a shared phone: a new tab starts afresh
    other.close()

    first.click("[aria-controls=ww-options]")
    first.check("#ww-remember")
    assert session_id(first, "localStorage") == session
    assert session_id(first) is None
    later = context.new_page()
    later.goto(widget_stack.web_url + "/")
    later.click(".ww-launcher")
    # The conversation continues in the new tab; its messages were never stored.
    expect(later.locator(".ww-note")).to_have_text(STRINGS["de"]["earlier_not_kept"])
    expect(later.locator(".ww-msg")).to_have_count(0)
    assert session_id(later, "localStorage") == session

    first.uncheck("#ww-remember")
    assert session_id(first, "localStorage") is None
    assert session_id(first) == session


@pytest.mark.parametrize("language", SUPPORTED)
def test_first_screen_in_each_language(new_context, widget_stack: Stack, language, tmp_path):
    """The browser's language sets the widget's language and the bot's greeting.

    `make screenshots` (WEGWEISER_SCREENSHOTS=1) saves them to docs/screenshots/.
    """
    page = new_context(locale=language, viewport={"width": 1000, "height": 720}).new_page()
    page.goto(widget_stack.web_url + "/")
    open_widget(page)
    root = page.locator(".ww-root")
    expect(root).to_have_attribute("lang", language)
    expect(root).to_have_attribute("dir", "rtl" if language in RTL else "ltr")
    expect(page.locator(".ww-header h2")).to_have_text(STRINGS[language]["title"])
    expect(page.locator(".ww-send")).to_have_text(STRINGS[language]["send"])
    expect(page.locator(".ww-bot .ww-text").first).to_have_text(
        one_of(first_parts(language, "utter_greet"))
    )
    page.locator(".ww-reply").first.wait_for()
    assert is_rtl(page.locator(".ww-bot").first) == (language in RTL)
    target = SCREENSHOTS if os.environ.get("WEGWEISER_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{language}.png"))
    assert (target / f"{language}.png").stat().st_size > 10_000


def test_typed_delete_my_data_clears_the_device(page: Page, widget_stack: Stack):
    """Deleting by typing, not by the menu: the screen and the storage forget as well."""
    de = STRINGS["de"]
    open_widget(page)
    page.fill("#ww-input", "Wo ist das Jobcenter in Essen?")
    page.press("#ww-input", "Enter")
    page.locator(".ww-card").first.wait_for()
    first = session_id(page)
    page.click("[aria-controls=ww-options]")
    page.check("#ww-remember")  # a shared phone where someone ticked "remember me"
    page.keyboard.press("Escape")
    assert session_id(page, "localStorage") == first

    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "Bitte lösche meine Daten")
    page.press("#ww-input", "Enter")
    question = page.locator(".ww-bot").nth(bots).locator(".ww-text")  # the bot asks first
    expect(question).to_have_text(one_of(first_parts("de", "utter_confirm_delete_my_data")))
    confirm = language_file("de")["responses"]["utter_confirm_delete_my_data"][0]["buttons"]
    yes = next(b["title"] for b in confirm if b["payload"] == "/affirm")
    page.get_by_role("button", name=yes, exact=True).click()

    note = page.locator(".ww-note")
    expect(note).to_have_text(de["deleted"])
    expect(page.locator(".ww-live")).to_contain_text(de["deleted"])
    expect(page.locator(".ww-user")).to_have_count(0)
    assert "Jobcenter" not in page.locator(".ww-log").inner_text()
    assert "lösche" not in page.locator(".ww-root").inner_text()
    page.locator(".ww-bot").first.wait_for()  # the new conversation's greeting
    second = session_id(page)
    assert second and second != first
    assert tracker_events(widget_stack.tracker_db, first) == 0
    kept = storage(page)
    assert "wegweiser.remember" not in kept  # back to the default: forget with the tab
    assert first not in kept.values()
    assert not page.is_checked("#ww-remember")


def test_www_addresses_are_links(page: Page):
    open_widget(page)
    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "Ich suche einen Deutschkurs")
    page.press("#ww-input", "Enter")
    link = page.locator(".ww-bot a[href='https://www.bamf.de']")
    expect(link.first).to_have_text("www.bamf.de")
    expect(link.first).to_have_attribute("rel", "noopener noreferrer")
    assert page.locator(".ww-bot").count() > bots


def test_keeps_its_place_and_mirrors_the_field_when_the_chat_turns_arabic(page: Page):
    """The demo page says "unten rechts": the widget stays there in Arabic too."""
    open_widget(page)
    width = page.viewport_size["width"]

    def right_edge(selector: str) -> float:
        box = page.locator(selector).bounding_box()
        return box["x"] + box["width"]

    panel = right_edge(".ww-panel")
    assert width - 40 < panel <= width
    choose_language(page, "ar")
    expect(page.locator(".ww-root")).to_have_attribute("dir", "rtl")
    assert right_edge(".ww-panel") == panel
    # The empty field shows its placeholder right-aligned, in the UI's direction ...
    field = page.locator("#ww-input")
    expect(field).to_have_attribute("placeholder", STRINGS["ar"]["placeholder"])
    assert field.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # ... and text typed into it takes its own direction
    field.fill("Essen")
    assert field.evaluate("e => getComputedStyle(e).direction") == "ltr"
    field.fill("")
    assert field.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.click(".ww-close")
    assert width - 40 < right_edge(".ww-launcher") <= width


def test_empty_send_and_a_long_paste_get_feedback(page: Page):
    de = STRINGS["de"]
    open_widget(page)
    users = page.locator(".ww-user")
    page.fill("#ww-input", "   ")
    page.press("#ww-input", "Enter")
    notice = page.locator("#ww-notice")
    expect(notice).to_have_text(de["empty_message"])
    expect(notice).to_be_visible()
    expect(page.locator("#ww-input")).to_have_attribute("aria-describedby", "ww-notice")
    expect(page.locator("#ww-input")).to_be_focused()
    assert users.count() == 0

    pasted = "Jobcenter Essen " * 313  # 5008 characters
    page.keyboard.insert_text(pasted)  # as a paste: one input event
    assert page.eval_on_selector("#ww-input", "e => e.value") == pasted[:2000]
    expect(notice).to_have_text(de["too_long"].replace("{max}", "2000"))
    page.press("#ww-input", "Enter")
    expect(users).to_have_count(1)
    expect(users.first.locator(".ww-text")).to_have_text(pasted[:2000].strip())
    expect(notice).to_be_hidden()


def test_log_keeps_its_label_and_the_typing_indicator_is_announced(page: Page):
    open_widget(page)
    log = page.locator(".ww-log")
    expect(log).to_have_attribute("aria-label", STRINGS["de"]["log_label"])
    page.click("[aria-controls=ww-options]")
    page.get_by_role("button", name=STRINGS["de"]["new_conversation"]).click()  # renderAll()
    page.locator(".ww-bot").first.wait_for()
    choose_language(page, "uk")
    expect(log).to_have_attribute("aria-label", STRINGS["uk"]["log_label"])
    expect(log).to_have_attribute("role", "region")
    live = page.locator(".ww-live")
    page.fill("#ww-input", "Де знаходиться джобцентр у Дортмунді?")
    page.press("#ww-input", "Enter")
    expect(live).to_contain_text(STRINGS["uk"]["typing"])


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def focus_in_panel(page: Page) -> bool:
    return page.evaluate("document.querySelector('.ww-panel').contains(document.activeElement)")


def test_phone_keeps_focus_inside_the_full_screen_chat(new_context, widget_stack: Stack):
    page = new_context(**PHONE).new_page()
    page.goto(widget_stack.web_url + "/")
    page.tap(".ww-launcher")
    # focus in the chat, not in the field: no keyboard popping up over the greeting
    assert page.evaluate("document.activeElement.matches('.ww-log')")
    page.locator(".ww-reply").first.wait_for()
    panel = page.locator(".ww-panel").bounding_box()
    assert panel["width"] == 390 and panel["height"] == 844  # it covers the page
    expect(page.get_by_role("dialog")).to_have_attribute("aria-modal", "true")
    # A tap on a quick reply leaves focus in the chat (without popping up the keyboard).
    bots = page.locator(".ww-bot").count()
    page.locator(".ww-reply").first.tap()
    assert page.evaluate("document.activeElement.matches('.ww-log')")
    page.locator(".ww-bot").nth(bots).wait_for()
    for key in ["Tab"] * 30 + ["Shift+Tab"] * 30:
        page.keyboard.press(key)
        assert focus_in_panel(page), page.evaluate("document.activeElement.outerHTML")


def test_desktop_lets_focus_leave_the_chat(page: Page):
    """Next to the page, the chat is not modal: Tab reaches the page again."""
    open_widget(page)
    expect(page.get_by_role("dialog")).to_have_attribute("aria-modal", "false")
    for _ in range(40):
        page.keyboard.press("Tab")
        if not focus_in_panel(page):
            return
    raise AssertionError("Tab never left the chat on a desktop")


def test_phone_shows_a_long_reply_from_its_first_bubble(new_context, widget_stack: Stack):
    # A small phone (or a large one with the keyboard open): the result does not fit.
    page = new_context(**{**PHONE, "viewport": {"width": 360, "height": 560}}).new_page()
    page.goto(widget_stack.web_url + "/")
    open_widget(page)
    # The guidance form (tests/conversations/test_guidance.py): its result is many bubbles.
    steps = [
        "Welches Amt ist für mich zuständig?",
        "Ich wohne in Essen",
        "Ich suche Arbeit",
        '/inform{"age_group": "skipped"}',
        "anerkannter Flüchtling",
        "ja",
    ]
    for step in steps:
        bots = page.locator(".ww-bot").count()
        page.fill("#ww-input", step)
        page.press("#ww-input", "Enter")
        total = wait_for_reply(page, bots)
    assert total - bots >= 3, "the result is one or two bubbles"
    expect(page.locator(".ww-bot:has(.ww-card)").first).to_be_attached()
    log = page.locator(".ww-log").bounding_box()
    first = page.locator(".ww-bot").nth(bots).bounding_box()
    last = page.locator(".ww-bot").last.bounding_box()
    assert last["y"] + last["height"] > log["y"] + log["height"], "the reply fits: no test"
    # the reply's first bubble is at the top of the log, not scrolled away above it
    assert log["y"] - 1 <= first["y"] <= log["y"] + 24, (first, log)


def test_new_conversation_keeps_the_chosen_language(page: Page):
    """A German browser, Arabic chosen in the menu: the new conversation greets in Arabic."""
    open_widget(page)
    choose_language(page, "ar")
    expect(page.locator(".ww-bot .ww-text").last).to_have_text(
        one_of(first_parts("ar", "utter_language_set"))
    )
    page.click("[aria-controls=ww-options]")
    page.get_by_role("button", name=STRINGS["ar"]["new_conversation"]).click()
    expect(page.locator(".ww-note")).to_have_text(STRINGS["ar"]["new_started"])
    expect(page.locator(".ww-bot .ww-text").first).to_have_text(
        one_of(first_parts("ar", "utter_greet"))
    )
    expect(page.locator(".ww-root")).to_have_attribute("lang", "ar")
    # quick replies take the direction of the reply's language, like the bubbles
    reply = page.locator(".ww-reply").first
    expect(reply).to_have_attribute("dir", "rtl")
    expect(reply).to_have_attribute("lang", "ar")


def test_only_numbers_that_dial_become_tel_links(page: Page):
    """International numbers and the short service number 115 are links; nothing else.

    (A number without its area code, such as Essen's "88-38883", is shown as text.)
    """
    open_widget(page)
    bots = page.locator(".ww-bot").count()
    page.fill("#ww-input", "Wo ist die Ausländerbehörde in Bochum?")
    page.press("#ww-input", "Enter")
    wait_for_reply(page, bots)
    links = page.locator(".ww-card a[href^='tel:']")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "tel:115" in hrefs, hrefs
    assert all(re.fullmatch(r"tel:(\+\d{6,}|11\d{1,4})", h) for h in hrefs), hrefs


def test_too_many_messages_get_a_note_not_silence(page: Page):
    """Over the socket's rate (20/min) the server drops a message: the widget says so."""
    de = STRINGS["de"]
    open_widget(page)
    for n in range(22):
        page.fill("#ww-input", f"hallo {n}")
        page.press("#ww-input", "Enter")
    note = page.locator(".ww-note", has_text=de["slow_down"])
    expect(note).to_have_count(1)
    expect(page.locator(".ww-typing")).to_be_hidden()  # no indicator left running
