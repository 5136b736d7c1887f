"""Console configuration, read once when the app is created (never at import time)."""

from __future__ import annotations

import base64
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.paths import PROJECT_ROOT

#: A user message whose top intent confidence is below this counts as misunderstood.
MISUNDERSTOOD_BELOW = 0.6


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console needs; build with :func:`load_settings` or directly in tests."""

    db_url: str
    #: 32 raw bytes for the encrypted session cookie (Fernet key material).
    secret_key: bytes
    #: Send the cookie with ``Secure``; ``None`` = only when the request came over HTTPS.
    secure_cookie: bool | None = None
    #: Idle time after which a session expires (seconds).
    session_idle: int = 8 * 3600
    #: Absolute session lifetime (seconds): even an active session ends after this.
    session_lifetime: int = 12 * 3600
    #: Failed logins before an account is locked, and for how long (seconds).
    max_failed_logins: int = 5
    lockout_seconds: int = 15 * 60
    page_size: int = 25
    #: Where the console is mounted; the session cookie is only sent there.
    cookie_path: str = "/staff/"
    #: Seconds between incremental refreshes of the conversation summary.
    refresh_interval: float = 5.0
    #: Login attempts per client address within ``login_window`` seconds.
    login_attempts: int = 20
    login_window: float = 300.0
    #: Reverse proxies (addresses or networks) whose ``X-Forwarded-For`` is believed.
    trusted_proxies: tuple[str, ...] = ()
    #: The ``lock_store`` section of the endpoints file: the console takes the same
    #: per-conversation lock as Rasa before deleting a conversation.
    lock_store: dict | None = None


SQL_STORE_TYPES = ("SQL", "sql", "bot.privacy.tracker_store.RedactingSQLTrackerStore")


def _substitute_env(value: object) -> object:
    """Expand ``${VAR}`` like Rasa does in endpoints files."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""), value)


def lock_store_from_endpoints(path: Path) -> dict | None:
    """The ``lock_store`` section of an endpoints file, ``${VAR}`` expanded (None if absent)."""
    section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("lock_store")
    if not isinstance(section, dict):
        return None
    return {k: _substitute_env(v) for k, v in section.items()}


def db_url_from_endpoints(path: Path) -> str:
    """The SQLAlchemy URL of the tracker store configured in an endpoints file."""
    from sqlalchemy.engine import URL

    store = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tracker_store") or {}
    store = {k: _substitute_env(v) for k, v in store.items()}
    # Rasa's SQL store or our redacting subclass of it (bot/privacy/tracker_store.py).
    if str(store.get("type", "")) not in SQL_STORE_TYPES:
        raise ValueError(f"{path}: the console needs an SQL tracker store")
    dialect = store.get("dialect", "sqlite")
    db = str(store.get("db", "rasa.db"))
    if dialect == "sqlite":
        db_path = Path(db) if Path(db).is_absolute() else PROJECT_ROOT / db
        return f"sqlite:///{db_path}"
    host = str(store.get("url") or "")
    if "://" in host:
        return host
    url = URL.create(
        "postgresql+psycopg2" if dialect == "postgresql" else dialect,
        username=store.get("username") or None,
        password=store.get("password") or None,
        host=host or None,
        port=int(store["port"]) if store.get("port") else None,
        database=db,
        query=store.get("query") or {},
    )
    return url.render_as_string(hide_password=False)


def secret_key(var_dir: Path = PROJECT_ROOT / "var") -> bytes:
    """``CONSOLE_SECRET_KEY`` (urlsafe base64 of 32 bytes) or a stored random one.

    The stored key lives in ``var_dir/console-secret.key``. ``var_dir`` is created 0700 and
    the key file is created 0600 in one step (``O_CREAT | O_EXCL``): there is no moment in
    which another user could read it, and two processes starting at once cannot both
    write a key.
    """
    env = os.environ.get("CONSOLE_SECRET_KEY")
    if env:
        key = base64.urlsafe_b64decode(env.encode())
        if len(key) != 32:
            raise ValueError("CONSOLE_SECRET_KEY must be urlsafe base64 of 32 bytes")
        return key
    # Why a file: sessions should survive restarts without an operator step.
    path = var_dir / "console-secret.key"
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    with os.fdopen(fd, "wb") as out:
        out.write(base64.urlsafe_b64encode(key))
    return key


def trusted_proxies(value: str) -> tuple[str, ...]:
    """Parse ``CONSOLE_TRUSTED_PROXIES`` (comma-separated addresses or networks).

    A typo must stop the start, not turn every login into an error.
    """
    out = []
    for item in (p.strip() for p in value.split(",")):
        if item:
            try:
                out.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError as exc:
                raise ValueError(f"CONSOLE_TRUSTED_PROXIES: {item!r} is no address") from exc
    return tuple(out)


def load_settings() -> ConsoleSettings:
    """Settings from the environment (``CONSOLE_DB_URL`` or the ``ENDPOINTS`` file).

    ``CONSOLE_TRUSTED_PROXIES``: comma-separated addresses/networks of reverse proxies
    whose ``X-Forwarded-For`` header names the client (login throttling).
    """
    endpoints = PROJECT_ROOT / os.environ.get("ENDPOINTS", "endpoints.yml")
    url = os.environ.get("CONSOLE_DB_URL") or db_url_from_endpoints(endpoints)
    secure = os.environ.get("CONSOLE_SECURE_COOKIE")
    proxies = trusted_proxies(os.environ.get("CONSOLE_TRUSTED_PROXIES", ""))
    return ConsoleSettings(
        db_url=url,
        secret_key=secret_key(),
        secure_cookie=None if secure is None else secure.lower() in ("1", "true", "yes"),
        trusted_proxies=proxies,
        lock_store=lock_store_from_endpoints(endpoints) if endpoints.exists() else None,
    )
