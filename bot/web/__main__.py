"""``python -m bot.web``: run the web service (bot/supervisor.py starts it with `make run`)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.console.settings import load_settings as console_settings
from bot.web.app import create_app
from bot.web.settings import Settings


def main() -> None:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    web.run_app(
        # The staff console and the retention job use the tracker store of $ENDPOINTS.
        create_app(settings, console=console_settings(), retention=True),
        host=settings.host,
        port=settings.port,
        # No client addresses in the log (privacy); method, path, status, size, time.
        access_log_format='"%r" %s %b %Tfs',
        print=lambda _: print(f"Web service on {settings.public_url}/", flush=True),
    )


if __name__ == "__main__":
    main()
