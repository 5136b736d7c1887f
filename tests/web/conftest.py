"""Debian's chromium driven by Playwright against the real stack (tests/stack.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.stack import Stack, essen_jobcenter_phones
from tools.browser import CHROMIUM, CHROMIUM_ARGS

#: Waiting for the bot: model inference on a shared 2-core machine can be slow.
BOT_TIMEOUT_MS = 90_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the whole session (`make test` installs it if missing)."""
    assert CHROMIUM.exists(), "no /usr/bin/chromium: run `make chromium` (make test does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (fresh storage, chosen locale/viewport); all closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(locale: str = "de-DE", **options) -> BrowserContext:
        options.setdefault("viewport", {"width": 1100, "height": 850})
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(BOT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, widget_stack: Stack) -> Page:
    """A German browser on the demo page; page errors fail the test."""
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(widget_stack.web_url + "/")
    yield page
    assert not errors, errors


def widget_gets_the_essen_jobcenter_over_websocket(page: Page, url: str) -> None:
    """Open the widget at ``url``, check it speaks WebSocket, ask for the Jobcenter and
    answer "Essen"; returns once a bubble shows one of Essen's Jobcenter numbers (the
    card needs the office type from the turn before)."""
    page.goto(url + "/")
    page.click(".ww-launcher")
    page.locator(".ww-bot").first.wait_for(timeout=BOT_TIMEOUT_MS)
    assert page.evaluate("window.Wegweiser.socket.io.engine.transport.name") == "websocket"
    for text in ("Ich suche das Jobcenter", "Essen"):
        bots = page.locator(".ww-bot").count()
        page.fill("#ww-input", text)
        page.press("#ww-input", "Enter")
        page.locator(".ww-bot").nth(bots).wait_for(timeout=BOT_TIMEOUT_MS)
    page.wait_for_function(
        "phones => [...document.querySelectorAll('.ww-bot')]"
        ".some(b => phones.some(p => b.textContent.includes(p)))",
        arg=sorted(essen_jobcenter_phones()),
        timeout=BOT_TIMEOUT_MS,
    )
