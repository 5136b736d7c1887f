"""Console tables, and the indexes on Rasa's ``events`` that the console's queries need.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: Indexes on Rasa's events table: conversation (transcript, deletion), time (retention,
#: analytics), and (type, intent) for intent filters and top-intent counts.
EVENT_INDEXES = {
    "ix_console_events_timestamp": ["timestamp"],
    "ix_console_events_type_time": ["type_name", "timestamp", "intent_name"],
    "ix_console_events_type_intent": ["type_name", "intent_name", "sender_id"],
    "ix_console_events_type_action": ["type_name", "action_name"],
}


def upgrade() -> None:
    """Create the console tables; create ``events`` too if Rasa has not run yet."""
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("events"):
        # Same definition as rasa.core.tracker_store.SQLTrackerStore.SQLEvent, so Rasa's
        # create_all() later finds it and leaves it alone.
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("type_name", sa.String(255), nullable=False),
            sa.Column("timestamp", sa.Float),
            sa.Column("intent_name", sa.String(255)),
            sa.Column("action_name", sa.String(255)),
            sa.Column("data", sa.Text),
        )
        op.create_index("ix_events_sender_id", "events", ["sender_id"])
    existing = (
        {ix["name"] for ix in inspector.get_indexes("events")}
        if inspector.has_table("events")
        else set()
    )
    for name, columns in EVENT_INDEXES.items():
        if name not in existing:
            op.create_index(name, "events", columns)

    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_login", sa.Float),
    )
    op.create_table(
        "console_conversations",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
        sa.Column("n_user", sa.Integer, nullable=False),
        sa.Column("n_bot", sa.Integer, nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("channel", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("had_fallback", sa.Boolean, nullable=False),
        sa.Column("min_confidence", sa.Float),
        sa.Column("asked_human", sa.Boolean, nullable=False),
        sa.Column("last_event_id", sa.Integer, nullable=False),
    )
    for column in ("started_at", "last_at", "language", "channel", "city", "min_confidence"):
        op.create_index(f"ix_console_conversations_{column}", "console_conversations", [column])
    op.create_table(
        "console_tags",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("tag", sa.String(32), primary_key=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_console_tags_tag", "console_tags", ["tag", "sender_id"])
    op.create_table(
        "console_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_console_notes_sender_id", "console_notes", ["sender_id"])
    op.create_table(
        "console_misunderstood",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("intent", sa.String(255)),
        sa.Column("guess", sa.String(255)),
        sa.Column("confidence", sa.Float),
        sa.Column("assigned_intent", sa.String(255)),
        sa.Column("assigned_by", sa.String(64)),
        sa.Column("assigned_at", sa.Float),
    )
    op.create_index("ix_console_misunderstood_sender_id", "console_misunderstood", ["sender_id"])
    op.create_index(
        "ix_console_misunderstood_language", "console_misunderstood", ["language", "timestamp"]
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(255)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"])
    op.create_table(
        "console_office_shown",
        sa.Column("office_id", sa.String(128), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
    )
    op.create_table(
        "console_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    """Drop the console's tables and indexes (Rasa's events are left in place)."""
    for table in (
        "console_state",
        "console_office_shown",
        "console_audit",
        "console_misunderstood",
        "console_notes",
        "console_tags",
        "console_conversations",
        "console_users",
    ):
        op.drop_table(table)
    for name in EVENT_INDEXES:
        op.drop_index(name, table_name="events")
