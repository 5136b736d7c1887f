"""Covering indexes for deep pages and the misunderstood counts (measured: bench/console.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = {
    # (sort key, tiebreaker): a deep OFFSET walks the index only, not the table.
    "ix_console_conversations_last_sender": ("console_conversations", ["last_at", "sender_id"]),
    "ix_console_conversations_started_sender": (
        "console_conversations",
        ["started_at", "sender_id"],
    ),
    "ix_console_conversations_conf_sender": (
        "console_conversations",
        ["min_confidence", "sender_id"],
    ),
    "ix_console_misunderstood_open": ("console_misunderstood", ["assigned_intent", "language"]),
}


def upgrade() -> None:
    """Add the indexes."""
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop them."""
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
