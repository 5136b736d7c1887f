"""Staff accounts: argon2id password hashes, login with lockout, roles, and the audit log."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from bot.console import db

ROLES = ("reviewer", "admin")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified when the user does not exist, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class User:
    """A logged-in staff member (what the session stores)."""

    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Admins manage users, the directory page, deletions and exports."""
        return self.role == "admin"


class UserError(ValueError):
    """A user cannot be created or changed as asked (message is shown to the operator)."""


def _validate(username: str, password: str, role: str) -> None:
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise UserError("username: 1-64 letters, digits, '.', '-' or '_'")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters")
    if role not in ROLES:
        raise UserError(f"role: one of {', '.join(ROLES)}")


def add_user(engine: Engine, username: str, password: str, role: str) -> None:
    """Create a staff account (``UserError`` if invalid or taken)."""
    _validate(username, password, role)
    u = db.users.c
    with engine.begin() as conn:
        if conn.execute(sa.select(u.id).where(u.username == username)).first():
            raise UserError(f"user {username!r} exists")
        conn.execute(
            db.users.insert().values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                active=True,
                failed_logins=0,
                created_at=time.time(),
            )
        )


def set_password(engine: Engine, username: str, password: str) -> None:
    """Replace a password and unlock the account."""
    _validate(username, password, "reviewer")
    with engine.begin() as conn:
        done = conn.execute(
            db.users.update()
            .where(db.users.c.username == username)
            .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
        )
    if done.rowcount != 1:
        raise UserError(f"no user {username!r}")


def update_user(engine: Engine, user_id: int, **values: Any) -> None:
    """Change role/active flag or unlock (``failed_logins=0, locked_until=None``)."""
    if "role" in values and values["role"] not in ROLES:
        raise UserError("unknown role")
    with engine.begin() as conn:
        conn.execute(db.users.update().where(db.users.c.id == user_id).values(**values))


def list_users(engine: Engine) -> list[dict[str, Any]]:
    """All accounts without their hashes."""
    u = db.users.c
    with engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(
                    u.id,
                    u.username,
                    u.role,
                    u.active,
                    u.failed_logins,
                    u.locked_until,
                    u.created_at,
                    u.last_login,
                ).order_by(u.username)
            )
        ]


def authenticate(
    engine: Engine, username: str, password: str, max_failed: int, lockout_seconds: int
) -> tuple[User | None, str]:
    """Check a login; returns the user or ``None`` and a reason (``bad``, ``locked``).

    After ``max_failed`` wrong passwords in a row the account is locked for
    ``lockout_seconds``; during the lock even the right password is refused.
    """
    u = db.users.c
    now = time.time()
    with engine.begin() as conn:
        row = conn.execute(sa.select(db.users).where(u.username == username)).first()
        if row is None or not row.active:
            _verify(_DUMMY_HASH, password)
            return None, "bad"
        if row.locked_until and row.locked_until > now:
            return None, "locked"
        if not _verify(row.password_hash, password):
            failed = row.failed_logins + 1
            locked = now + lockout_seconds if failed >= max_failed else None
            conn.execute(
                db.users.update()
                .where(u.id == row.id)
                .values(failed_logins=0 if locked else failed, locked_until=locked)
            )
            return None, "locked" if locked else "bad"
        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login": now}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        conn.execute(db.users.update().where(u.id == row.id).values(**values))
        return User(row.id, row.username, row.role), "ok"


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def audit(engine: Engine, username: str, action: str, target: str | None, detail: str = "") -> None:
    """Append one audit record (transcript view, tag, deletion, export, user change, ...)."""
    with engine.begin() as conn:
        conn.execute(
            db.audit.insert().values(
                at=time.time(), username=username, action=action, target=target, detail=detail
            )
        )


class IpThrottle:
    """At most ``limit`` login attempts per client address within ``window`` seconds.

    Why in memory: it only has to slow down guessing from one address; the per-account
    lockout in the database is the durable protection.
    """

    def __init__(self, limit: int = 20, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        """Record an attempt; ``False`` if the address is over the limit."""
        now = time.monotonic()
        hits = self._hits.setdefault(address, deque())
        while hits and hits[0] < now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:  # bound memory under a spray of addresses
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
        return True
