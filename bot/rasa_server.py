"""Start Rasa the way every Wegweiser Rasa server starts: ``python -m bot.rasa_server run ...``.

Takes the same arguments as the ``rasa`` command. Before handing over it

- installs our Rasa patches (:func:`bot.patches.install`), the one place they are
  installed, so the Rasa server and its forked Sanic workers all carry them;
- adds ``--auth-token`` from ``$RASA_AUTH_TOKEN`` or the file named by
  ``$RASA_AUTH_TOKEN_FILE`` when ``--enable-api`` is given, so the token never appears
  on a command line (``ps`` shows argv to every user of the machine);
- creates files private to their owner (``umask 077``): the SQLite tracker store and
  everything else Rasa writes under ``var/``;
- caps request bodies and WebSocket messages at 64 KiB unless ``$SANIC_REQUEST_MAX_SIZE``
  / ``$SANIC_WEBSOCKET_MAX_SIZE`` say otherwise (Sanic's defaults are 100 MB and 1 MiB;
  the WebSocket limit is read before any channel could lower it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TOKEN_ENV = "RASA_AUTH_TOKEN"
TOKEN_FILE_ENV = "RASA_AUTH_TOKEN_FILE"


def auth_token(environ: os._Environ[str] | dict[str, str]) -> str | None:
    """The API token from the environment or a secret file (e.g. a Kubernetes Secret)."""
    path = environ.get(TOKEN_FILE_ENV)
    if path:
        return Path(path).read_text(encoding="utf-8").strip() or None
    return environ.get(TOKEN_ENV) or None


def with_token(argv: list[str], token: str | None) -> list[str]:
    """``argv`` plus ``--auth-token`` when the HTTP API is on and no token was given.

    Refuses to start an HTTP API without a token: it would let anyone read and change
    every conversation.
    """
    if "--enable-api" not in argv or "--auth-token" in argv:
        return argv
    if not token:
        raise SystemExit(
            f"--enable-api needs a token: set ${TOKEN_ENV} or ${TOKEN_FILE_ENV} "
            "(never pass it on the command line)"
        )
    return [*argv, "--auth-token", token]


def main() -> None:
    """Install the patches, then run Rasa's own command line with our arguments."""
    os.umask(0o077)
    from bot.channels.limits import REQUEST_MAX_BYTES

    for name in ("SANIC_REQUEST_MAX_SIZE", "SANIC_WEBSOCKET_MAX_SIZE"):
        os.environ.setdefault(name, str(REQUEST_MAX_BYTES))
    from bot.patches import install

    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = [sys.argv[0], *with_token(sys.argv[1:], auth_token(os.environ))]
    rasa_main()


if __name__ == "__main__":
    main()
