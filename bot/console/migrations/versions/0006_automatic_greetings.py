"""Take the automatic greetings already folded out of the intent counts.

The widget and the Telegram connector send ``/greet`` by themselves when a chat opens; the
fold now leaves those out of ``console_conversation_intents`` (so out of "most frequent
intents"). This removes the ones folded before: one count per such event. The daily
intent table follows by trigger (and drops rows that reach 0, migration 0004).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

AUTOMATIC_GREETING = "/greet"  # bot.console.display.AUTOMATIC_GREETING at this revision
DAY = 86400


def _automatic_greetings(bind: sa.engine.Connection, last_id: int, batch: int = 5000):
    """(sender_id, day) of every folded user event that is the automatic greeting."""
    after = 0
    while after < last_id:
        rows = bind.execute(
            sa.text(
                "SELECT id, sender_id, timestamp, data FROM events WHERE type_name = 'user' "
                "AND intent_name = 'greet' AND id > :after AND id <= :last ORDER BY id LIMIT :n"
            ),
            {"after": after, "last": last_id, "n": batch},
        ).all()
        if not rows:
            return
        for _id, sender_id, timestamp, data in rows:
            try:
                text = json.loads(data or "{}").get("text")
            except (ValueError, AttributeError):
                continue
            if isinstance(text, str) and text.strip() == AUTOMATIC_GREETING:
                yield sender_id, int((timestamp or 0.0) // DAY)
        after = rows[-1][0]


def upgrade() -> None:
    """Count each automatic greeting off its conversation's intent row."""
    bind = op.get_bind()
    last = bind.execute(
        sa.text("SELECT value FROM console_state WHERE key = 'summary_last_event_id'")
    ).scalar()
    if last is None:
        return
    counts: dict[tuple[str, int], int] = {}
    for key in _automatic_greetings(bind, int(last)):
        counts[key] = counts.get(key, 0) + 1
    for (sender_id, day), n in counts.items():
        params = {"s": sender_id, "d": day, "n": n}
        bind.execute(
            sa.text(
                "UPDATE console_conversation_intents SET n = n - :n "
                "WHERE sender_id = :s AND intent = 'greet' AND day = :d"
            ),
            params,
        )
        bind.execute(
            sa.text(
                "DELETE FROM console_conversation_intents "
                "WHERE sender_id = :s AND intent = 'greet' AND day = :d AND n <= 0"
            ),
            params,
        )


def downgrade() -> None:
    """Nothing to undo: the counts are correct either way for the code of 0005 and later."""
