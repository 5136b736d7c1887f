"""Helpers shared by the privacy tests."""

from __future__ import annotations

import sqlalchemy as sa


def console_tags(engine, senders: list[str]) -> sa.Table:
    """A stand-in for a console table with per-conversation rows."""
    tags = sa.Table(
        "console_tags",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("tag", sa.String(40)),
    )
    tags.drop(engine, checkfirst=True)
    tags.create(engine)
    with engine.begin() as conn:
        for sender in senders:
            conn.execute(tags.insert().values(sender_id=sender, tag="praise"))
    return tags
