"""App factory of the web service (wiring only; handlers are in views.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.web import views
from bot.web.middlewares import security_headers, widget_cors
from bot.web.routes import setup_routes
from bot.web.settings import Settings
from bot.web.typedefs import INDEX_HTML, SETTINGS, STRINGS_JSON

if TYPE_CHECKING:
    from bot.console.settings import ConsoleSettings


def create_app(
    settings: Settings | None = None,
    *,
    console: ConsoleSettings | None = None,
    retention: bool = False,
) -> web.Application:
    """Build the web application; reads data files now, so bad data fails at start.

    ``console`` mounts the staff console at /staff/; ``retention`` runs the scheduled
    deletion of old conversations (bot/privacy/retention.py) inside this service. Both
    are off by default so that tests of the public pages touch no database.
    """
    settings = settings or Settings.from_env()
    app = web.Application(middlewares=[security_headers, widget_cors])
    app[SETTINGS] = settings
    app[STRINGS_JSON] = views.strings_json(settings)
    app[INDEX_HTML] = views.render_index(settings)
    setup_routes(app, settings)

    if console is not None:
        # A sub-app with its own middlewares (auth, CSRF); the security headers above
        # apply to it too.
        from bot.console.app import create_console_app

        app.add_subapp("/staff/", create_console_app(console))
    if retention:
        from bot.privacy import retention as retention_job

        retention_job.setup(app)
    return app
