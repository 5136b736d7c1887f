"""Staff accounts: passwords, lockout, server-side sessions, throttling, audit log.

Passwords are argon2id hashes; sessions live in ``console_sessions`` (the cookie only holds
a random id); login attempts are limited per client address (``client_address``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import time
from collections import deque
from collections.abc import Iterable
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
            raise UserError("username: this name is taken")
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
    """Replace a password, unlock the account and end all of its sessions."""
    _validate(username, password, "reviewer")
    u = db.users.c
    with engine.begin() as conn:
        uid = conn.execute(sa.select(u.id).where(u.username == username)).scalar()
        if uid is None:
            raise UserError("username: no such account")
        conn.execute(
            db.users.update()
            .where(u.id == uid)
            .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
        )
        # A new password means whoever knew the old one (or holds an old cookie) is out.
        conn.execute(db.sessions.delete().where(db.sessions.c.user_id == uid))


def change_own_password(
    engine: Engine, user_id: int, current: str, new: str, keep_session: str | None
) -> None:
    """A logged-in user changes their password; every other session of theirs ends.

    ``UserError`` if ``current`` is wrong or ``new`` too short. ``keep_session`` is the
    session id of the browser making the change (it stays logged in).
    """
    if len(new) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters")
    u = db.users.c
    with engine.begin() as conn:
        row = conn.execute(sa.select(u.password_hash).where(u.id == user_id)).first()
        if row is None or not _verify(row.password_hash, current):
            raise UserError("current password: wrong")
        conn.execute(
            db.users.update().where(u.id == user_id).values(password_hash=_hasher.hash(new))
        )
        s = db.sessions.c
        keep = [_session_hash(keep_session)] if keep_session else []
        conn.execute(db.sessions.delete().where(s.user_id == user_id, s.id_hash.notin_(keep)))


def update_user(engine: Engine, user_id: int, **values: Any) -> None:
    """Change role/active flag or unlock (``failed_logins=0, locked_until=None``).

    Disabling an account ends its sessions at once.
    """
    if "role" in values and values["role"] not in ROLES:
        raise UserError("role: unknown role")
    with engine.begin() as conn:
        conn.execute(db.users.update().where(db.users.c.id == user_id).values(**values))
        if values.get("active") is False:
            conn.execute(db.sessions.delete().where(db.sessions.c.user_id == user_id))


def set_active(engine: Engine, username: str, active: bool) -> None:
    """Enable or disable an account by name (CLI); disabling ends its sessions."""
    with engine.connect() as conn:
        uid = conn.execute(sa.select(db.users.c.id).where(db.users.c.username == username)).scalar()
    if uid is None:
        raise UserError("username: no such account")
    update_user(engine, uid, active=active)


# -- server-side sessions -------------------------------------------------------------------


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(engine: Engine, user_id: int, idle: float, lifetime: float) -> str:
    """Record a new session for ``user_id``; returns the id to keep in the cookie.

    Also removes sessions (of anyone) that are past their idle time or lifetime, so the
    table does not grow with abandoned browsers.
    """
    now = time.time()
    session_id = secrets.token_urlsafe(32)
    s = db.sessions.c
    with engine.begin() as conn:
        conn.execute(
            db.sessions.delete().where(
                sa.or_(s.seen_at < now - idle, s.created_at < now - lifetime)
            )
        )
        conn.execute(
            db.sessions.insert().values(
                id_hash=_session_hash(session_id), user_id=user_id, created_at=now, seen_at=now
            )
        )
    return session_id


def check_session(
    engine: Engine, session_id: str, idle: float, lifetime: float
) -> tuple[User | None, str]:
    """The user of a live session, or ``None`` and why (``expired`` or ``revoked``).

    A session ends when idle longer than ``idle`` seconds or older than ``lifetime``
    seconds (absolute, however active), or when its row was deleted (logout, password
    change, account disabled). A live session's last-seen time is moved to now.
    """
    now = time.time()
    s, u = db.sessions.c, db.users.c
    key = _session_hash(session_id)
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(s.created_at, s.seen_at, u.id, u.username, u.role, u.active)
            .select_from(db.sessions.join(db.users, u.id == s.user_id))
            .where(s.id_hash == key)
        ).first()
        if row is None:
            return None, "revoked"
        if now - row.seen_at > idle or now - row.created_at > lifetime:
            conn.execute(db.sessions.delete().where(s.id_hash == key))
            return None, "expired"
        if not row.active:
            conn.execute(db.sessions.delete().where(s.id_hash == key))
            return None, "revoked"
        conn.execute(db.sessions.update().where(s.id_hash == key).values(seen_at=now))
    return User(row.id, row.username, row.role), "ok"


def end_sessions(engine: Engine, user_id: int) -> int:
    """End every session of a user (logout ends them all: a copied cookie dies too)."""
    with engine.begin() as conn:
        done = conn.execute(db.sessions.delete().where(db.sessions.c.user_id == user_id))
    return done.rowcount or 0


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
    """Check a login; returns the user or ``None`` and a reason.

    Reasons: ``ok``, ``bad`` (wrong password), ``locked``, ``unknown`` (no such active
    account; the caller must show it like ``bad`` so names cannot be probed).

    After ``max_failed`` wrong passwords in a row the account is locked for
    ``lockout_seconds``; during the lock even the right password is refused.
    """
    u = db.users.c
    now = time.time()
    with engine.begin() as conn:
        row = conn.execute(sa.select(db.users).where(u.username == username)).first()
        if row is None or not row.active:
            _verify(_DUMMY_HASH, password)
            return None, "unknown"
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


def client_address(remote: str | None, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The address a request came from, for throttling.

    ``X-Forwarded-For`` is believed only when the connection comes from one of the
    ``trusted`` proxy networks (e.g. ``127.0.0.1/32``); then the right-most address that is
    not itself a trusted proxy is the client. Anyone else could write any address there to
    escape the limit, so for them the connection's address counts.
    """
    networks = [ipaddress.ip_network(n, strict=False) for n in trusted]

    def is_trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr.strip())
        except ValueError:
            return False
        return any(ip in net for net in networks)

    address = remote or "?"
    if not forwarded_for or not is_trusted(address):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # garbage from the client side: fall back to the proxy
        address = hop
    return address


class IpThrottle:
    """At most ``limit`` login attempts per client address within ``window`` seconds.

    Why in memory: it only has to slow down guessing from one address; the per-account
    lockout in the database is the durable protection.
    """

    def __init__(self, limit: int = 20, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._reported: dict[str, float] = {}

    def first_refusal(self, address: str) -> bool:
        """True once per window for a refused address (log it once, not per attempt)."""
        now = time.monotonic()
        if self._reported.get(address, 0.0) > now - self.window:
            return False
        if len(self._reported) > 10_000:
            self._reported = {k: v for k, v in self._reported.items() if v > now - self.window}
        self._reported[address] = now
        return True

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
