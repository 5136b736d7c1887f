"""Intent, search and daily-aggregate tables (measured misses of docs/benchmarks-console.md).

- ``console_conversation_intents``: the intent filter becomes an indexed lookup.
- ``console_messages`` + a text index (SQLite FTS5 trigram / PostgreSQL pg_trgm GIN).
- ``console_daily``, ``console_daily_cities``, ``console_daily_intents``: the analytics
  page reads pre-aggregated rows. Triggers keep them equal to the per-conversation rows,
  so deletions made anywhere (retention, "delete my data", prune) are counted off too.

Existing data is backfilled from the tables the console already has and from ``events``
up to the last folded event id; newer events reach the new tables through the normal fold.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)
FTS = "console_messages_fts"
#: Day number of an epoch-seconds expression, per dialect (SQLite's CAST truncates;
#: timestamps are positive).
DAY = {
    "sqlite": "CAST(({x}) / 86400 AS INTEGER)",
    "postgresql": "CAST(floor(({x}) / 86400) AS INTEGER)",
}
#: Statements (with {row} = NEW or OLD) that add (+) or take off (-) one conversation row
#: or one intent-count row from the daily tables. The same text runs in SQLite trigger
#: bodies and in the PL/pgSQL function.
ADD_CONVERSATION = """
INSERT INTO console_daily (day, language, channel, conversations, messages, fallbacks)
VALUES ({day}, COALESCE({row}.language, ''), COALESCE({row}.channel, ''), 1, {row}.n_user,
        CASE WHEN {row}.had_fallback THEN 1 ELSE 0 END)
ON CONFLICT (day, language, channel) DO UPDATE SET
    conversations = console_daily.conversations + 1,
    messages = console_daily.messages + excluded.messages,
    fallbacks = console_daily.fallbacks + excluded.fallbacks;
INSERT INTO console_daily_cities (day, city, conversations)
SELECT {day}, {row}.city, 1 WHERE {row}.city IS NOT NULL
ON CONFLICT (day, city) DO UPDATE SET conversations = console_daily_cities.conversations + 1;
"""
SUB_CONVERSATION = """
UPDATE console_daily SET
    conversations = conversations - 1,
    messages = messages - {row}.n_user,
    fallbacks = fallbacks - CASE WHEN {row}.had_fallback THEN 1 ELSE 0 END
WHERE day = {day} AND language = COALESCE({row}.language, '')
    AND channel = COALESCE({row}.channel, '');
UPDATE console_daily_cities SET conversations = conversations - 1
WHERE day = {day} AND city = {row}.city;
"""
ADD_INTENTS = """
INSERT INTO console_daily_intents (day, intent, n) VALUES ({row}.day, {row}.intent, {row}.n)
ON CONFLICT (day, intent) DO UPDATE SET n = console_daily_intents.n + excluded.n;
"""
SUB_INTENTS = """
UPDATE console_daily_intents SET n = n - {row}.n WHERE day = {row}.day AND intent = {row}.intent;
"""


def _sql(template: str, dialect: str, row: str) -> str:
    return template.format(row=row, day=DAY[dialect].format(x=f"{row}.started_at"))


def _create_tables() -> None:
    op.create_table(
        "console_conversation_intents",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("intent", sa.String(255), primary_key=True),
        sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_console_conversation_intents_intent",
        "console_conversation_intents",
        ["intent", "sender_id"],
    )
    op.create_table(
        "console_messages",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_console_messages_sender_id", "console_messages", ["sender_id"])
    op.create_table(
        "console_daily",
        sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("channel", sa.String(64), primary_key=True),
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
    )
    op.create_table(
        "console_daily_cities",
        sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("city", sa.String(64), primary_key=True),
        sa.Column("conversations", sa.Integer, nullable=False),
    )
    op.create_table(
        "console_daily_intents",
        sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("intent", sa.String(255), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    # The analytics page's "unanswered" count filters misunderstood messages by time.
    op.create_index("ix_console_misunderstood_timestamp", "console_misunderstood", ["timestamp"])


def _backfill_aggregates(dialect: str) -> None:
    """Fill the intent and daily tables from what is already folded."""
    bind = op.get_bind()
    last = bind.execute(
        sa.text("SELECT value FROM console_state WHERE key = 'summary_last_event_id'")
    ).scalar()
    last_id = int(last) if last is not None else 0
    day = DAY[dialect]
    event_day = day.format(x="COALESCE(timestamp, 0)")
    bind.execute(
        sa.text(
            "INSERT INTO console_conversation_intents (sender_id, intent, day, n) "
            f"SELECT sender_id, COALESCE(intent_name, ''), {event_day}, "
            "COUNT(*) FROM events WHERE type_name = 'user' AND id <= :last "
            "GROUP BY 1, 2, 3"
        ),
        {"last": last_id},
    )
    started = day.format(x="started_at")
    bind.execute(
        sa.text(
            "INSERT INTO console_daily "
            "(day, language, channel, conversations, messages, fallbacks) "
            f"SELECT {started}, COALESCE(language, ''), COALESCE(channel, ''), COUNT(*), "
            "SUM(n_user), SUM(CASE WHEN had_fallback THEN 1 ELSE 0 END) "
            "FROM console_conversations GROUP BY 1, 2, 3"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO console_daily_cities (day, city, conversations) "
            f"SELECT {started}, city, COUNT(*) FROM console_conversations "
            "WHERE city IS NOT NULL GROUP BY 1, 2"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO console_daily_intents (day, intent, n) "
            "SELECT day, intent, SUM(n) FROM console_conversation_intents GROUP BY 1, 2"
        )
    )
    _backfill_messages(bind, last_id)


def _backfill_messages(bind: sa.engine.Connection, last_id: int, batch: int = 5000) -> None:
    """Copy the text of every folded user message (JSON parsed here, as the fold does)."""
    after = 0
    while after < last_id:
        rows = bind.execute(
            sa.text(
                "SELECT id, sender_id, data FROM events WHERE type_name = 'user' "
                "AND id > :after AND id <= :last ORDER BY id LIMIT :n"
            ),
            {"after": after, "last": last_id, "n": batch},
        ).all()
        if not rows:
            return
        out = []
        for event_id, sender_id, data in rows:
            try:
                text = json.loads(data or "{}").get("text")
            except (ValueError, AttributeError):
                continue
            if text and isinstance(text, str):
                out.append({"event_id": event_id, "sender_id": sender_id, "text": text})
        if out:
            bind.execute(
                sa.text(
                    "INSERT INTO console_messages (event_id, sender_id, text) "
                    "VALUES (:event_id, :sender_id, :text)"
                ),
                out,
            )
        after = rows[-1][0]


def _sqlite_triggers() -> None:
    for op_name, body in (
        ("insert", _sql(ADD_CONVERSATION, "sqlite", "NEW")),
        ("delete", _sql(SUB_CONVERSATION, "sqlite", "OLD")),
        (
            "update",
            _sql(SUB_CONVERSATION, "sqlite", "OLD") + _sql(ADD_CONVERSATION, "sqlite", "NEW"),
        ),
    ):
        op.execute(
            f"CREATE TRIGGER console_conversations_daily_{op_name} AFTER {op_name.upper()} "
            f"ON console_conversations BEGIN {body} END"
        )
    for op_name, body in (
        ("insert", ADD_INTENTS.format(row="NEW")),
        ("delete", SUB_INTENTS.format(row="OLD")),
        ("update", SUB_INTENTS.format(row="OLD") + ADD_INTENTS.format(row="NEW")),
    ):
        op.execute(
            f"CREATE TRIGGER console_conversation_intents_daily_{op_name} "
            f"AFTER {op_name.upper()} ON console_conversation_intents BEGIN {body} END"
        )


def _sqlite_fts() -> None:
    """FTS5 trigram index over console_messages, kept in sync by triggers (if available)."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, content='console_messages', "
                "content_rowid='event_id', tokenize='trigram')"
            )
    except sa.exc.OperationalError as exc:
        # SQLite < 3.34 or without FTS5: search falls back to LIKE over console_messages.
        log.warning("no FTS5 trigram index (%s); search scans message texts", exc)
        return
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER console_messages_fts_insert AFTER INSERT ON console_messages BEGIN "
        f"INSERT INTO {FTS}(rowid, text) VALUES (NEW.event_id, NEW.text); END"
    )
    op.execute(
        "CREATE TRIGGER console_messages_fts_delete AFTER DELETE ON console_messages BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', OLD.event_id, OLD.text); END"
    )
    op.execute(
        "CREATE TRIGGER console_messages_fts_update AFTER UPDATE ON console_messages BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', OLD.event_id, OLD.text); "
        f"INSERT INTO {FTS}(rowid, text) VALUES (NEW.event_id, NEW.text); END"
    )


def _pg_triggers() -> None:
    conv = (
        "CREATE FUNCTION console_conversations_daily() RETURNS trigger AS $body$ BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        + _sql(SUB_CONVERSATION, "postgresql", "OLD")
        + " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        + _sql(ADD_CONVERSATION, "postgresql", "NEW")
        + " END IF; RETURN NULL; END $body$ LANGUAGE plpgsql"
    )
    intents = (
        "CREATE FUNCTION console_conversation_intents_daily() RETURNS trigger AS $body$ BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        + SUB_INTENTS.format(row="OLD")
        + " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        + ADD_INTENTS.format(row="NEW")
        + " END IF; RETURN NULL; END $body$ LANGUAGE plpgsql"
    )
    bind = op.get_bind()
    bind.exec_driver_sql(conv)
    bind.exec_driver_sql(intents)
    for table, func in (
        ("console_conversations", "console_conversations_daily"),
        ("console_conversation_intents", "console_conversation_intents_daily"),
    ):
        op.execute(
            f"CREATE TRIGGER {func} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE PROCEDURE {func}()"
        )


def _pg_trgm() -> None:
    """pg_trgm GIN index for ILIKE; without the extension, search still works (scan)."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm unavailable (%s); search scans message texts", exc)
        return
    op.execute(
        "CREATE INDEX ix_console_messages_trgm ON console_messages USING gin (text gin_trgm_ops)"
    )


def upgrade() -> None:
    """Create the tables, backfill them, then add the text index and the triggers."""
    dialect = op.get_bind().dialect.name
    _create_tables()
    _backfill_aggregates(dialect)
    # Indexes and triggers after the bulk backfill: building once beats updating per row.
    if dialect == "postgresql":
        _pg_trgm()
        _pg_triggers()
    else:
        _sqlite_fts()
        _sqlite_triggers()


def downgrade() -> None:
    """Drop triggers, the text index and the new tables."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, func in (
            ("console_conversations", "console_conversations_daily"),
            ("console_conversation_intents", "console_conversation_intents_daily"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {func} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {func}()")
    else:
        for table in ("console_conversations", "console_conversation_intents"):
            for op_name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_daily_{op_name}")
        for op_name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS console_messages_fts_{op_name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_index("ix_console_misunderstood_timestamp", table_name="console_misunderstood")
    for table in (
        "console_daily_intents",
        "console_daily_cities",
        "console_daily",
        "console_messages",
        "console_conversation_intents",
    ):
        op.drop_table(table)
