"""``python -m bot.run_rasa run ...``: `rasa` with the API token from the environment.

Rasa takes its HTTP API token only as ``--auth-token`` on the command line, where every
user of the host (``ps``, /proc/<pid>/cmdline) and every container runtime's inspect
output can read it. This entry point runs Rasa's own command line unchanged, but fills
``auth_token`` (and ``jwt_secret``) from ``$RASA_AUTH_TOKEN`` / ``$RASA_JWT_SECRET`` or from
the file named by ``$RASA_AUTH_TOKEN_FILE`` / ``$RASA_JWT_SECRET_FILE`` (Docker and
Kubernetes secrets are mounted as files; any other ``NAME_FILE`` becomes ``$NAME`` too,
bot/secret_files.py). A token given on the command line is refused, so it cannot sneak
back in. The container images (deploy/docker/) start Rasa this way.
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
        if arg.split("=", 1)[0] in ARGV_FLAGS:
            raise SystemExit(
                f"{arg.split('=', 1)[0]} on the command line is visible to every process; "
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

    parser.parse_args = parse_args  # type: ignore[method-assign]
    return parser


def main() -> None:
    """Run Rasa's CLI (``rasa.__main__.main``) with secrets from the environment."""
    refuse_secrets_in_argv(sys.argv[1:])
    # DB_PASSWORD_FILE -> DB_PASSWORD etc.: Rasa substitutes ${DB_PASSWORD} in endpoints.
    secret_files.load(os.environ)
    if "--enable-api" in sys.argv[1:] and not any(map(secret_from_env, SECRETS.values())):
        # Rasa would serve its whole HTTP API (tracker read/write, model replace) openly.
        raise SystemExit("--enable-api needs RASA_AUTH_TOKEN(_FILE) or RASA_JWT_SECRET(_FILE)")
    import rasa.__main__ as rasa_cli

    create = rasa_cli.create_argument_parser
    rasa_cli.create_argument_parser = lambda: _with_secrets(create())
    sys.argv[0] = "rasa"
    rasa_cli.main()


if __name__ == "__main__":
    main()
