"""Start Rasa the way every Wegweiser Rasa server starts: ``python -m bot.rasa_server run ...``.

Takes the same arguments as the ``rasa`` command (``make run``, the tests, the container
images and the Helm chart all use it). Before handing over to Rasa's own command line it

- installs our Rasa patches (:func:`bot.patches.install`), the one place they are
  installed, so the server and its forked Sanic workers all carry them;
- takes the HTTP API secrets from the environment, never from argv: ``auth_token`` and
  ``jwt_secret`` from ``$RASA_AUTH_TOKEN`` / ``$RASA_JWT_SECRET`` or the files named by
  ``$RASA_AUTH_TOKEN_FILE`` / ``$RASA_JWT_SECRET_FILE`` (Docker and Kubernetes mount secrets
  as files; other ``NAME_FILE`` variables become ``$NAME`` too, :mod:`bot.secret_files`).
  ``ps`` and container inspection show argv to everyone, so a secret given as a flag is
  refused, and so is ``--enable-api`` without a secret;
- creates files private to their owner (``umask 077``): the SQLite tracker store and
  everything else Rasa writes under ``var/``;
- caps request bodies and WebSocket messages at 64 KiB unless ``$SANIC_REQUEST_MAX_SIZE``
  / ``$SANIC_WEBSOCKET_MAX_SIZE`` say otherwise (Sanic's defaults are 100 MB and 1 MiB;
  the WebSocket limit is read before any channel could lower it);
- with ``WEGWEISER_LOG_FORMAT=json``, logs JSON lines without message texts or
  conversation ids (:mod:`bot.observability.logging`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot import secret_files

#: argparse destination -> environment variable holding the secret.
SECRETS = {"auth_token": "RASA_AUTH_TOKEN", "jwt_secret": "RASA_JWT_SECRET"}
ARGV_FLAGS = ("--auth-token", "--jwt-secret")


def secret_from_env(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """``$NAME``, else the stripped content of the file ``$NAME_FILE``, else None."""
    env = os.environ if env is None else env
    if value := env.get(name):
        return value
    if path := env.get(f"{name}_FILE"):
        value = Path(path).read_text(encoding="utf-8").strip()
        if not value:
            raise SystemExit(f"{name}_FILE={path} is empty")
        return value
    return None


def refuse_secrets_in_argv(argv: Sequence[str]) -> None:
    """Exit with a message if a secret is passed as a command-line flag."""
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag in ARGV_FLAGS:
            raise SystemExit(
                f"{flag} on the command line is visible to every process; "
                "set RASA_AUTH_TOKEN(_FILE) / RASA_JWT_SECRET(_FILE) instead"
            )


def _with_secrets(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parse = parser.parse_args

    def parse_args(args: Sequence[str] | None = None, namespace: Any = None) -> Any:
        parsed = parse(args, namespace)
        for dest, name in SECRETS.items():
            if hasattr(parsed, dest) and (value := secret_from_env(name)):
                setattr(parsed, dest, value)
        return parsed

    parser.parse_args = parse_args  # type: ignore[method-assign,assignment]
    return parser


def main() -> None:
    """Check the secrets, install the patches, then run Rasa's own command line."""
    os.umask(0o077)
    refuse_secrets_in_argv(sys.argv[1:])
    # DB_PASSWORD_FILE -> DB_PASSWORD etc.: Rasa substitutes ${DB_PASSWORD} in endpoints.
    secret_files.load(os.environ)
    if "--enable-api" in sys.argv[1:] and not any(map(secret_from_env, SECRETS.values())):
        # Rasa would serve its whole HTTP API (tracker read/write, model replace) openly.
        raise SystemExit("--enable-api needs RASA_AUTH_TOKEN(_FILE) or RASA_JWT_SECRET(_FILE)")

    from bot.channels.limits import REQUEST_MAX_BYTES

    for name in ("SANIC_REQUEST_MAX_SIZE", "SANIC_WEBSOCKET_MAX_SIZE"):
        os.environ.setdefault(name, str(REQUEST_MAX_BYTES))
    from bot.patches import install

    install()
    from bot.observability import logging as json_logging

    if json_logging.wanted():
        json_logging.install()
    import rasa.__main__ as rasa_cli

    create = rasa_cli.create_argument_parser
    rasa_cli.create_argument_parser = lambda: _with_secrets(create())
    sys.argv[0] = "rasa"
    rasa_cli.main()


if __name__ == "__main__":
    main()
