"""Handlers of the web service: demo page, widget strings, health."""

from __future__ import annotations

import html
import json
from string import Template

from aiohttp import web

from bot.web.settings import TEMPLATES_DIR, Settings
from bot.web.strings import load_strings, widget_document
from bot.web.typedefs import INDEX_HTML, STRINGS_JSON


def embed_snippet(settings: Settings) -> str:
    """The one line another site puts into its pages to show the widget."""
    return (
        f'<script src="{settings.public_url}/widget/wegweiser.js" '
        f'data-server="{settings.rasa_url}" defer></script>'
    )


def render_index(settings: Settings) -> str:
    """The demo page: a municipal page with the widget embedded by the same snippet."""
    template = Template((TEMPLATES_DIR / "index.html").read_text(encoding="utf-8"))
    return template.substitute(
        snippet=html.escape(embed_snippet(settings)),
        rasa_url=html.escape(settings.rasa_url, quote=True),
    )


def strings_json(settings: Settings) -> bytes:
    """The widget's strings document (checked: all languages, same keys)."""
    document = widget_document(load_strings(settings.strings_dir))
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


async def index(request: web.Request) -> web.Response:
    """GET / — the demo page."""
    return web.Response(text=request.app[INDEX_HTML], content_type="text/html")


async def strings(request: web.Request) -> web.Response:
    """GET /widget/strings.json — UI texts in every language and the language menu."""
    return web.Response(
        body=request.app[STRINGS_JSON],
        content_type="application/json",
        headers={"Cache-Control": "no-cache"},
    )


async def health(request: web.Request) -> web.Response:
    """GET /healthz — for process supervision and tests."""
    return web.json_response({"status": "ok"})
