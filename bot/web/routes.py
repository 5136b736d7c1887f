"""The web service's URL map."""

from __future__ import annotations

from aiohttp import web

from bot.web import views
from bot.web.settings import Settings


def setup_routes(app: web.Application, settings: Settings) -> None:
    """Demo page, health, the widget's strings and static files."""
    app.router.add_get("/", views.index, name="index")
    app.router.add_get("/healthz", views.health, name="health")
    app.router.add_get("/widget/strings.json", views.strings, name="widget_strings")
    # wegweiser.js, wegweiser.css and vendor/socket.io.min.js
    app.router.add_static("/widget/", settings.static_dir, name="widget", append_version=False)
