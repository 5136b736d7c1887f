"""Secrets a local installation generates for itself (var/secrets.env).

``make run`` needs an API token and a pseudonym key, but nobody should have to
invent them by hand. A value set in the environment always wins; otherwise the
value stored in var/secrets.env (git-ignored, mode 0600) is used, and a missing
one is generated and appended there, so it stays stable across restarts.
"""

from __future__ import annotations

import os
import secrets

from bot.paths import VAR_DIR

VAR = VAR_DIR
SECRETS = VAR / "secrets.env"


def stored() -> dict[str, str]:
    """The NAME=value pairs in var/secrets.env (empty if the file does not exist)."""
    if not SECRETS.exists():
        return {}
    values = {}
    for line in SECRETS.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


def get_or_create(name: str, nbytes: int = 32) -> str:
    """$name from the environment, else from var/secrets.env, else a new random value."""
    if value := os.environ.get(name):
        return value
    if value := stored().get(name):
        return value
    VAR.mkdir(mode=0o700, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # Append (never rewrite): other secrets in the file must survive.
    fd = os.open(SECRETS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(f"{name}={value}\n")
    SECRETS.chmod(0o600)
    return value
