"""Why a message is listed as misunderstood (``console_misunderstood.reasons``).

Besides fallbacks and low confidence, the fold now lists form answers the guidance form
did not understand, replies in another language than the message, and messages in an
unsupported language. Rows from before get the reason they were listed for.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column and fill it for existing rows."""
    with op.batch_alter_table("console_misunderstood") as batch:
        batch.add_column(sa.Column("reasons", sa.String(96)))
    op.execute(
        "UPDATE console_misunderstood SET reasons = CASE "
        "WHEN intent = 'nlu_fallback' THEN 'fallback' "
        "WHEN intent = 'unsupported_language' THEN 'unsupported_language' "
        "ELSE 'low_confidence' END"
    )
    op.create_index("ix_console_misunderstood_reasons", "console_misunderstood", ["reasons"])


def downgrade() -> None:
    """Drop the column."""
    op.drop_index("ix_console_misunderstood_reasons", table_name="console_misunderstood")
    with op.batch_alter_table("console_misunderstood") as batch:
        batch.drop_column("reasons")
