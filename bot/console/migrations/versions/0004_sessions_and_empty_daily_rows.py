"""Server-side sessions, and daily aggregate rows that vanish when their count reaches 0.

- ``console_sessions``: one row per logged-in browser. The cookie only carries a random
  session id; its SHA-256 is stored here. Logout, a password change, disabling an account
  and the absolute lifetime end a session by deleting its row, so a copied cookie dies too.
- The daily triggers of migration 0003 counted deletions off but left rows at 0, so
  ``console_daily_cities`` still said "someone asked about <city> on <day>" after the
  conversation was deleted. The triggers now delete a row whose count reaches 0, and rows
  already at 0 are removed here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The module name starts with a digit: import it by name to reuse its SQL templates.
_m3 = importlib.import_module("bot.console.migrations.versions.0003_intents_search_daily")

#: Appended to the subtraction statements: drop rows that no longer count anything.
DROP_EMPTY_CONVERSATION = """
DELETE FROM console_daily WHERE day = {day} AND language = COALESCE({row}.language, '')
    AND channel = COALESCE({row}.channel, '') AND conversations <= 0;
DELETE FROM console_daily_cities WHERE day = {day} AND city = {row}.city AND conversations <= 0;
"""
DROP_EMPTY_INTENTS = """
DELETE FROM console_daily_intents WHERE day = {row}.day AND intent = {row}.intent AND n <= 0;
"""


def _sub_conversation(dialect: str, row: str) -> str:
    return _m3._sql(_m3.SUB_CONVERSATION + DROP_EMPTY_CONVERSATION, dialect, row)


def _sub_intents(row: str) -> str:
    return (_m3.SUB_INTENTS + DROP_EMPTY_INTENTS).format(row=row)


def _create_sessions() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("seen_at", sa.Float, nullable=False),
    )


def _sqlite_triggers(sub_conv: str, sub_intents: str) -> None:
    """Recreate 0003's SQLite triggers with the given bodies for OLD rows."""
    for table in ("console_conversations", "console_conversation_intents"):
        for op_name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_daily_{op_name}")
    add_conv = _m3._sql(_m3.ADD_CONVERSATION, "sqlite", "NEW")
    for op_name, body in (
        ("insert", add_conv),
        ("delete", sub_conv),
        ("update", sub_conv + add_conv),
    ):
        op.execute(
            f"CREATE TRIGGER console_conversations_daily_{op_name} AFTER {op_name.upper()} "
            f"ON console_conversations BEGIN {body} END"
        )
    add_int = _m3.ADD_INTENTS.format(row="NEW")
    for op_name, body in (
        ("insert", add_int),
        ("delete", sub_intents),
        ("update", sub_intents + add_int),
    ):
        op.execute(
            f"CREATE TRIGGER console_conversation_intents_daily_{op_name} "
            f"AFTER {op_name.upper()} ON console_conversation_intents BEGIN {body} END"
        )


def _pg_functions(sub_conv: str, sub_intents: str) -> None:
    bind = op.get_bind()
    bind.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION console_conversations_daily() RETURNS trigger AS $body$ "
        "BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        + sub_conv
        + " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        + _m3._sql(_m3.ADD_CONVERSATION, "postgresql", "NEW")
        + " END IF; RETURN NULL; END $body$ LANGUAGE plpgsql"
    )
    bind.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION console_conversation_intents_daily() RETURNS trigger AS "
        "$body$ BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        + sub_intents
        + " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        + _m3.ADD_INTENTS.format(row="NEW")
        + " END IF; RETURN NULL; END $body$ LANGUAGE plpgsql"
    )


def _drop_empty_rows() -> None:
    op.execute("DELETE FROM console_daily WHERE conversations <= 0")
    op.execute("DELETE FROM console_daily_cities WHERE conversations <= 0")
    op.execute("DELETE FROM console_daily_intents WHERE n <= 0")


def upgrade() -> None:
    """Add the sessions table; make the daily triggers drop rows that reach 0."""
    dialect = op.get_bind().dialect.name
    _create_sessions()
    if dialect == "postgresql":
        _pg_functions(_sub_conversation(dialect, "OLD"), _sub_intents("OLD"))
    else:
        _sqlite_triggers(_sub_conversation(dialect, "OLD"), _sub_intents("OLD"))
    _drop_empty_rows()


def downgrade() -> None:
    """Back to the triggers of 0003 (rows at 0 stay) and no server-side sessions."""
    dialect = op.get_bind().dialect.name
    sub_conv = _m3._sql(_m3.SUB_CONVERSATION, dialect, "OLD")
    sub_intents = _m3.SUB_INTENTS.format(row="OLD")
    if dialect == "postgresql":
        _pg_functions(sub_conv, sub_intents)
    else:
        _sqlite_triggers(sub_conv, sub_intents)
    op.drop_table("console_sessions")
