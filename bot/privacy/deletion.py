"""Delete one conversation's events, and log deletions without keeping who it was.

Two paths lead here: the tracker store deletes a conversation when the user confirms
"delete my data" (inside the Rasa process, see tracker_store.py), and admins delete one
with :func:`delete_conversation` (console, CLI). ``privacy_log`` keeps what happened
(when, why, how many events), never the sender id.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.privacy.db import (
    engine_for,
    events,
    has_events,
    metadata,
    scrub_after_delete,
    tracker_store_config,
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

privacy_log = sa.Table(
    "privacy_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column(
        "action", sa.String(32), nullable=False
    ),  # self_deletion | admin_deletion | retention
    sa.Column("conversations", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
)


def ensure_log_table(engine: Engine) -> None:
    """Create ``privacy_log`` if it does not exist yet.

    Safe when several Rasa workers start at once: the one that loses the race between
    the check and CREATE TABLE gets a database error, which is fine if the table is there.
    """
    try:
        privacy_log.create(engine, checkfirst=True)
    except sa.exc.DBAPIError:
        if not sa.inspect(engine).has_table("privacy_log"):
            raise


def delete_sender_rows(session: Session | Connection, table: sa.Table, sender_id: str) -> int:
    """Delete every row of ``sender_id`` from ``table``; returns how many."""
    result = session.execute(sa.delete(table).where(table.c.sender_id == sender_id))
    return result.rowcount or 0


def related_tables(configured: Iterable[str] | None = None) -> tuple[str, ...]:
    """Tables that hold per-conversation copies (``also_delete_from`` in the endpoints file).

    The staff console keeps summaries, tags and notes per ``sender_id``; a deleted
    conversation must vanish from them too. Without an argument the tracker_store
    section of the endpoints file is read (no file: none).
    """
    if configured is None:
        try:
            configured = tracker_store_config().get("also_delete_from") or ()
        except Exception:  # no endpoints file or no tracker store: nothing related
            configured = ()
    return tuple(configured)


def delete_related(conn: Session | Connection, tables: Iterable[str], sender_ids: list[str]) -> int:
    """Delete the rows of ``sender_ids`` from those of ``tables`` that exist."""
    bind = conn.connection() if isinstance(conn, Session) else conn
    inspector = sa.inspect(bind)
    removed = 0
    for name in tables:
        if not _IDENTIFIER.match(name) or not inspector.has_table(name):
            continue
        table = sa.Table(name, sa.MetaData(), sa.Column("sender_id", sa.String(255)))
        for i in range(0, len(sender_ids), 500):
            chunk = sender_ids[i : i + 500]
            result = conn.execute(table.delete().where(table.c.sender_id.in_(chunk)))
            removed += result.rowcount or 0
    return removed


def record(session: Session | Connection, action: str, *, conversations: int, events: int) -> None:
    """Add a line to ``privacy_log`` (part of the caller's transaction)."""
    session.execute(
        privacy_log.insert().values(
            timestamp=time.time(), action=action, conversations=conversations, events=events
        )
    )


def delete_conversation(
    engine_or_url: Engine | str | sa.engine.URL | None,
    sender_id: str,
    also_delete_from: Iterable[str] | None = None,
) -> int:
    """Delete a conversation from the tracker store (admin deletion); returns the event count.

    Rows of the conversation in ``also_delete_from`` tables (default: the endpoints
    file's list, i.e. the console's copies) go too. Safe while Rasa runs: Rasa reads
    the conversation from the database on every message, so the sender's next message
    starts a new conversation. Only a message being processed at this very moment
    could write its turn back.
    """
    engine = engine_for(engine_or_url)
    if not has_events(engine):
        return 0
    ensure_log_table(engine)
    with engine.begin() as conn:
        deleted = delete_sender_rows(conn, events, sender_id)
        delete_related(conn, related_tables(also_delete_from), [sender_id])
        if deleted:
            record(conn, "admin_deletion", conversations=1, events=deleted)
    scrub_after_delete(engine)
    return deleted
