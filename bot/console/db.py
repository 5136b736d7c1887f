"""The console's tables (SQLAlchemy Core), the engine, and schema migrations (Alembic).

The console shares the database of Rasa's SQL tracker store: it reads ``events`` and keeps
its own ``console_*`` tables next to it. Alembic records its version in
``console_alembic_version`` so that other tools' migrations in the same database never clash.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.privacy.db import events as rasa_events

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "console_alembic_version"

metadata = sa.MetaData()

#: Rasa's table, declared once in bot.privacy.db (Rasa creates it; so does migration 0001
#: when the console starts first). Re-exported so console code reads ``db.events``.
events = rasa_events

users = sa.Table(
    "console_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.Float),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_login", sa.Float),
)

#: One row per logged-in browser (migration 0004). The cookie carries a random session id;
#: only its SHA-256 is stored, so a database dump holds no usable session.
sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)

#: One row per conversation (sender id), maintained incrementally from ``events``
#: by bot.console.summary — filtering JSON over millions of events per request is too slow.
conversations = sa.Table(
    "console_conversations",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
    sa.Column("n_user", sa.Integer, nullable=False, default=0),
    sa.Column("n_bot", sa.Integer, nullable=False, default=0),
    sa.Column("language", sa.String(8)),
    sa.Column("channel", sa.String(64)),
    sa.Column("city", sa.String(64)),
    sa.Column("had_fallback", sa.Boolean, nullable=False, default=False),
    sa.Column("min_confidence", sa.Float),
    sa.Column("asked_human", sa.Boolean, nullable=False, default=False),
    sa.Column("last_event_id", sa.Integer, nullable=False),
)

tags = sa.Table(
    "console_tags",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(32), primary_key=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

notes = sa.Table(
    "console_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

#: User messages the bot did not understand (fallback, low confidence, a form answer it
#: could not read, a reply in another language than the message, an unsupported
#: language), copied at sync time so reviewers can assign the right intent; removed with
#: the conversation.
misunderstood = sa.Table(
    "console_misunderstood",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("language", sa.String(8)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(255)),
    sa.Column("guess", sa.String(255)),
    sa.Column("confidence", sa.Float),
    sa.Column("assigned_intent", sa.String(255)),
    sa.Column("assigned_by", sa.String(64)),
    sa.Column("assigned_at", sa.Float),
    #: Why it is listed, comma-separated (summary.REASONS; migration 0005).
    sa.Column("reasons", sa.String(96)),
)

audit = sa.Table(
    "console_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(255)),
    sa.Column("detail", sa.Text),
)

#: How often each directory record was shown to users (office cards in bot replies).
office_shown = sa.Table(
    "console_office_shown",
    metadata,
    sa.Column("office_id", sa.String(128), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
)

#: Which intents each conversation's user messages had, per day (event time) and how often:
#: the intent filter is an indexed lookup here, not a semi-join into ``events``.
conversation_intents = sa.Table(
    "console_conversation_intents",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("intent", sa.String(255), primary_key=True),  # "" = no intent
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Index("ix_console_conversation_intents_intent", "intent", "sender_id"),
)

#: The text of each user message, for the free-text search (indexed per backend:
#: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL; see bot.console.dialect).
messages = sa.Table(
    "console_messages",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
)

#: Daily aggregates for the analytics page, kept by database triggers on
#: ``console_conversations`` and ``console_conversation_intents`` (migration 0003), so every
#: insert, update and deletion — wherever it comes from — is counted. "" stands for NULL.
daily = sa.Table(
    "console_daily",
    metadata,
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("language", sa.String(8), primary_key=True),
    sa.Column("channel", sa.String(64), primary_key=True),
    sa.Column("conversations", sa.Integer, nullable=False),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Column("fallbacks", sa.Integer, nullable=False),
)
daily_cities = sa.Table(
    "console_daily_cities",
    metadata,
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("city", sa.String(64), primary_key=True),
    sa.Column("conversations", sa.Integer, nullable=False),
)
daily_intents = sa.Table(
    "console_daily_intents",
    metadata,
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("intent", sa.String(255), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)

#: Key/value state, e.g. the id of the last event folded into the summary.
state = sa.Table(
    "console_state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)


def make_engine(url: str) -> Engine:
    """An engine with a small pool (the console is light; Rasa holds most connections)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the console read while Rasa writes.
            dbapi_conn.execute("PRAGMA journal_mode=WAL")

        return engine
    return sa.create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Any:
    """Alembic config pointing at our migrations, bound to ``engine``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the console schema to the newest revision (idempotent; run on every start)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


async def run(func: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a thread so the event loop keeps serving."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args))
