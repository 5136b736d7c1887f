"""Everything that differs between SQLite and PostgreSQL at run time, in one place.

- Upserts that add to a counter (the fold's per-conversation intent counts).
- Free-text search over ``console_messages``: SQLite FTS5 with the trigram tokenizer,
  PostgreSQL ``pg_trgm`` GIN index under ``ILIKE``. Both match case-insensitively inside
  words in any script; queries shorter than a trigram (3 characters) fall back to a plain
  ``LIKE``/``ILIKE`` scan of the message texts (still far smaller than the events' JSON).

The DDL for these (FTS5 table, triggers, GIN index) lives in migration 0003.
"""

from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from bot.console import db

#: SQLite's external-content FTS5 index over ``console_messages.text`` (migration 0003).
FTS_TABLE = "console_messages_fts"
#: Shorter queries have no trigram to look up.
TRIGRAM = 3
_fts_seen: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def is_postgres(bind: Engine | Connection) -> bool:
    """True on PostgreSQL (else SQLite: the two backends the console supports)."""
    return bind.dialect.name == "postgresql"


def add_counts(
    conn: Connection, table: sa.Table, keys: list[str], counter: str, rows: list[dict]
) -> None:
    """Insert ``rows``; where the key exists already, add ``counter`` to the stored value."""
    if not rows:
        return
    insert = (postgresql.insert if is_postgres(conn) else sqlite.insert)(table)
    stmt = insert.on_conflict_do_update(
        index_elements=keys,
        set_={counter: table.c[counter] + insert.excluded[counter]},
    )
    conn.execute(stmt, rows)


def _escaped(text: str, escape: str) -> str:
    for char in (escape, "%", "_"):
        text = text.replace(char, escape + char)
    return text


def _has_fts(engine: Engine) -> bool:
    """Whether migration 0003 could create the FTS5 index (SQLite ≥ 3.34 with FTS5)."""
    if engine not in _fts_seen:
        _fts_seen[engine] = sa.inspect(engine).has_table(FTS_TABLE)
    return _fts_seen[engine]


def search_senders(engine: Engine, text: str) -> Any:
    """A ``SELECT sender_id`` of conversations with a user message containing ``text``.

    Case-insensitive substring match; ``%``, ``_`` and quotes in ``text`` are literal.
    """
    m = db.messages.c
    if is_postgres(engine):
        # pg_trgm's GIN index serves ILIKE for patterns with at least one trigram; the
        # default escape character (backslash) keeps the pattern indexable.
        pattern = "%" + _escaped(text, "\\") + "%"
        return sa.select(m.sender_id).where(m.text.ilike(pattern))
    if len(text) >= TRIGRAM and _has_fts(engine):
        # A quoted FTS5 string is a phrase: with the trigram tokenizer, any substring.
        phrase = '"' + text.replace('"', '""') + '"'
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        hits = sa.select(fts.c.rowid).where(sa.literal_column(FTS_TABLE).op("MATCH")(phrase))
        return sa.select(m.sender_id).where(m.event_id.in_(hits))
    # Too short for a trigram: scan the texts (SQLite's LIKE folds ASCII case only).
    pattern = "%" + _escaped(text, "!") + "%"
    return sa.select(m.sender_id).where(m.text.like(pattern, escape="!"))
