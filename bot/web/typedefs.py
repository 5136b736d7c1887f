"""Typed keys for what the web app shares between handlers."""

from __future__ import annotations

from aiohttp import web

from bot.web.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
#: The widget's strings document, serialised once at start-up.
STRINGS_JSON = web.AppKey("strings_json", bytes)
#: The demo page, rendered once at start-up.
INDEX_HTML = web.AppKey("index_html", str)
