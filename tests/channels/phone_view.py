"""Messages as a messenger shows them: plain-text bubbles on a phone, in Debian's chromium.

WhatsApp and Telegram set a bubble's direction from its first strong character; HTML's
``dir="auto"`` applies the same rule, so a bubble here is right-to-left exactly when it
would be on the phone. Used by the connector tests to check direction and, with
``WEGWEISER_SCREENSHOTS=1`` (`make screenshots`), to save docs/screenshots/.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.paths import PROJECT_ROOT
from tools.browser import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"

_PAGE = """<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #efeae2; font: 15px/1.4 system-ui, sans-serif; }}
header {{ background: #075e54; color: #fff; padding: 14px 16px; font-weight: 600; }}
main {{ display: flex; flex-direction: column; gap: 6px; padding: 10px; }}
.b {{ max-width: 82%; padding: 6px 9px; border-radius: 8px; white-space: pre-wrap;
      overflow-wrap: anywhere; box-shadow: 0 1px 1px #0002; }}
.in {{ align-self: flex-start; background: #fff; }}
.out {{ align-self: flex-end; background: #d9fdd3; }}
</style><header>{title}</header><main>{bubbles}</main>"""


def show(user: str, replies: list[str], title: str, screenshot: str | None, tmp: Path) -> list[str]:
    """Render the exchange on a 390x844 phone; the computed direction of each reply bubble.

    Saves ``docs/screenshots/<screenshot>`` when ``WEGWEISER_SCREENSHOTS=1`` (else under
    ``tmp``).
    """
    bubbles = [f'<div class="b out" dir="auto">{html.escape(user)}</div>']
    bubbles += [f'<div class="b in reply" dir="auto">{html.escape(r)}</div>' for r in replies]
    document = _PAGE.format(title=html.escape(title), bubbles="\n".join(bubbles))
    target = SCREENSHOTS if os.environ.get("WEGWEISER_SCREENSHOTS") == "1" else tmp
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.set_content(document)
            directions = page.eval_on_selector_all(
                ".reply", "els => els.map(e => getComputedStyle(e).direction)"
            )
            if screenshot:
                target.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target / screenshot), full_page=True)
        finally:
            browser.close()
    return directions
