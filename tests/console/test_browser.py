"""The console in a real browser (Debian chromium via Playwright)."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright, expect

from tests.console.conftest import PASSWORD
from tools.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
async def browser():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        await b.close()


async def log_in(page, base: str, username: str) -> None:
    await page.goto(f"{base}/staff/login?ui=en")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Conversations")).to_be_visible()


async def test_admin_reviews_tags_assigns_and_exports(console, browser):
    base = str(console.make_url("")).rstrip("/")
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await log_in(page, base, "alice")

    # Filter by Arabic.
    await page.get_by_label("Language").select_option("ar")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator("#total")).to_have_text("2")
    langs = await page.locator("tr.conversation td.lang").all_inner_texts()
    assert langs == ["Arabic", "Arabic"]

    # Open a transcript: right-to-left text, intent and confidence.
    await page.locator("tr.conversation a").first.click()
    message = page.locator(".msg.user .text").first
    await expect(message).to_have_attribute("dir", "auto")
    direction = await message.evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"

    # Tag it.
    await page.get_by_label("Tag", exact=True).select_option("wrong_answer")
    await page.get_by_role("button", name="Add tag").click()
    await expect(page.locator("ul.tags .tag")).to_have_text(["wrong answer"])

    # Assign an intent to a misunderstood Arabic message, then export it.
    await page.get_by_role("link", name="Misunderstood").click()
    await page.locator("a.group", has_text="Arabic").click()
    row = page.locator("tr.misunderstood").first
    await row.get_by_label("Assign intent").select_option("ask_work_permit")
    await row.get_by_role("button", name="Assign").click()
    # Back on the open list of Arabic messages, which is now empty.
    await expect(page.get_by_role("status")).to_have_text("0")
    await page.goto(f"{base}/staff/misunderstood?language=ar&status=all")
    await expect(page.locator(".assigned").first).to_contain_text("Work permit")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Export NLU YAML (Arabic)").click()
    download = await info.value
    text = open(await download.path(), encoding="utf-8").read()
    assert "- intent: ask_work_permit" in text and "language: ar" in text

    # Analytics draws its charts from the vendored Chart.js.
    await page.get_by_role("link", name="Analytics").click()
    await page.goto(f"{base}/staff/analytics?from=2026-09-20&to=2026-09-30")
    drawn = await page.evaluate(
        "() => [...document.querySelectorAll('canvas')].every(c => window.Chart.getChart(c))"
    )
    assert drawn
    assert errors == []


async def test_stored_script_does_not_run(console, browser):
    base = str(console.make_url("")).rstrip("/")
    page = await browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await log_in(page, base, "alice")
    await page.get_by_label("Search in messages").fill("script")
    await page.get_by_role("button", name="Filter").click()
    await page.locator("tr.conversation a").first.click()
    await expect(page.locator(".msg.user .text").first).to_have_text(
        "<script>window.__xss = 1</script><b>bold</b>"
    )
    assert await page.evaluate("() => window.__xss") is None
    assert await page.locator(".msg.user b").count() == 0
    assert dialogs == []


async def test_reviewer_cannot_reach_admin_pages(console, browser):
    base = str(console.make_url("")).rstrip("/")
    page = await browser.new_page()
    await log_in(page, base, "rita")
    assert await page.get_by_role("link", name="Users").count() == 0
    for path in ("/staff/users", "/staff/audit", "/staff/directory"):
        resp = await page.goto(base + path)
        assert resp.status == 403
        await expect(page.get_by_role("alert")).to_contain_text("admin")
    await page.goto(f"{base}/staff/misunderstood?language=ar")
    assert await page.get_by_role("button", name="Export NLU YAML (Arabic)").count() == 0


async def test_rtl_transcript_keeps_numbers_and_links_in_reading_order(sqlite_url, browser):
    from tests.console.conftest import client_for, make_settings, prepare
    from tests.console.test_display import seed_buttons

    engine = prepare(sqlite_url)
    seed_buttons(engine)
    engine.dispose()
    async with client_for(make_settings(sqlite_url)) as client:
        base = str(client.make_url("")).rstrip("/")
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await log_in(page, base, "alice")
        await page.goto(f"{base}/staff/conversations?language=ar")
        await page.locator("tr.conversation a").first.click()
        bot = page.locator(".msg.bot .text", has_text="88-38883")
        direction = await bot.evaluate("el => getComputedStyle(el).direction")
        assert direction == "rtl"
        # Inside the RTL line the phone number still reads "+49 ... 38883" from left to right
        # (without isolation the bidi algorithm shows "38883-88 201 49+").
        xs = await bot.evaluate(
            """(el) => {
                 const chars = [];
                 const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                 for (let n = walk.nextNode(); n; n = walk.nextNode())
                   for (let i = 0; i < n.length; i++) chars.push([n, i]);
                 const text = chars.map(([n, i]) => n.data[i]).join("");
                 const r = document.createRange();
                 const x = (k) => { const [n, i] = chars[k]; r.setStart(n, i); r.setEnd(n, i + 1);
                                    return r.getBoundingClientRect().left; };
                 const start = text.indexOf("+49"), end = text.indexOf("38883") + 4;
                 return [x(start), x(start + 1), x(end)];
               }"""
        )
        assert xs[0] < xs[1] < xs[2], xs
        await expect(page.locator(".msg.user .pressed .button")).to_have_text("مركز العمل")


async def test_directory_fits_1280_px_and_filters(console, browser):
    base = str(console.make_url("")).rstrip("/")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{base}/staff/login?ui=de")
    await page.get_by_label("Benutzername").fill("alice")
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.goto(f"{base}/staff/directory")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, width
    await expect(page.get_by_role("columnheader", name="Agentur für Arbeit")).to_be_visible()
    await page.get_by_label("Stadt").select_option("Bochum")
    await page.get_by_label("Lücke").select_option("old")
    await page.get_by_role("button", name="Filtern").click()
    await expect(page.locator("#coverage tbody tr")).to_have_count(1)
    cities = await page.locator("#gap-list tbody tr td:nth-child(2)").all_inner_texts()
    assert cities and all("Bochum" in c for c in cities)
