"""Delete what is older than the retention period.

That is whole conversations whose last event is older, and the old sessions of
conversations that are still going on.

A person who writes every 89 days must not be kept forever: Rasa splits a conversation
into sessions (``session_started`` events), and a still active conversation loses every
session that ended before the cutoff; the session that reaches past it stays whole, so
Rasa (which loads only the latest session) and the dialogue are unaffected.

The period (days) comes from, in order: the caller (``--days``), the environment
variable ``WEGWEISER_RETENTION_DAYS``, ``retention_days`` in the endpoints file's
tracker_store section, and the default of 90. It runs as a periodic task inside the
web service (:func:`setup`) and as ``python -m bot.privacy retention [--days N] [--dry-run]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine

from bot.privacy.db import (
    engine_for,
    events,
    has_events,
    scrub_after_delete,
    tracker_store_config,
)
from bot.privacy.deletion import delete_related, ensure_log_table, record, related_tables

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90
DAYS_ENV = "WEGWEISER_RETENTION_DAYS"
INTERVAL_ENV = "WEGWEISER_RETENTION_INTERVAL_SECONDS"
DEFAULT_INTERVAL = 6 * 3600
#: Conversations deleted per statement (keeps the IN list and each transaction small).
BATCH = 500


@dataclass(frozen=True)
class Result:
    """What a retention run deleted (or, in a dry run, would delete)."""

    days: int
    cutoff: float
    conversations: int
    events: int
    dry_run: bool


def retention_days(days: int | None = None, config: dict[str, Any] | None = None) -> int:
    """The retention period in days (see the module docstring for the order)."""
    value: Any = days
    if value is None:
        value = os.environ.get(DAYS_ENV) or None
    if value is None and config is None:
        with contextlib.suppress(Exception):  # no endpoints file: the default applies
            config = tracker_store_config()
    if value is None and config:
        value = config.get("retention_days")
    value = DEFAULT_DAYS if value is None else value
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"retention days must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"retention days must be at least 1, not {number}")
    return number


def expired_senders(conn: sa.engine.Connection, cutoff: float) -> list[str]:
    """Senders whose newest event is older than ``cutoff`` (epoch seconds)."""
    query = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )
    return [row[0] for row in conn.execute(query)]


def purge(
    engine: Engine,
    days: int,
    *,
    now: float | None = None,
    dry_run: bool = False,
    also_delete_from: Iterable[str] | None = None,
) -> Result:
    """Delete (or with ``dry_run`` only count) every conversation older than ``days``.

    Rows of those conversations in ``also_delete_from`` tables (default: the endpoints
    file's list, the console's copies) are deleted with them.
    """
    related = related_tables(also_delete_from)
    cutoff = (time.time() if now is None else now) - days * 86400
    if not has_events(engine):
        return Result(days, cutoff, 0, 0, dry_run)
    ensure_log_table(engine)
    with engine.begin() as conn:
        senders = expired_senders(conn, cutoff)
        if dry_run:
            count = 0
            for i in range(0, len(senders), BATCH):
                query = sa.select(sa.func.count()).where(
                    events.c.sender_id.in_(senders[i : i + BATCH])
                )
                count += conn.execute(query).scalar_one()
            return Result(days, cutoff, len(senders), count, dry_run)
        count, deleted = 0, 0
        for i in range(0, len(senders), BATCH):
            chunk = senders[i : i + BATCH]
            count += conn.execute(
                sa.delete(events)
                .where(events.c.sender_id.in_(chunk))
                # a message that arrived since the select keeps its conversation
                .where(events.c.sender_id.not_in(_recent(cutoff)))
            ).rowcount
            # ... and then its console rows (tags, notes, summary) stay too.
            kept = set(
                conn.execute(
                    sa.select(events.c.sender_id).where(events.c.sender_id.in_(chunk)).distinct()
                ).scalars()
            )
            gone = [s for s in chunk if s not in kept]
            delete_related(conn, related, gone)
            deleted += len(gone)
        count += _purge_old_sessions(conn, cutoff)
        if deleted or count:
            record(conn, "retention", conversations=deleted, events=count)
    if count:
        scrub_after_delete(engine)
    return Result(days, cutoff, deleted, count, dry_run)


def old_session_boundaries(conn: sa.engine.Connection, cutoff: float) -> dict[str, float]:
    """Where the old part of each conversation ends.

    For conversations with events on both sides of ``cutoff``: the start of the session
    that holds their first event after the cutoff (everything before it is old).
    """
    first_recent = (
        sa.select(events.c.sender_id, sa.func.min(events.c.timestamp).label("first"))
        .where(events.c.timestamp >= cutoff)
        .group_by(events.c.sender_id)
        .subquery()
    )
    query = (
        sa.select(events.c.sender_id, sa.func.max(events.c.timestamp))
        .join(first_recent, first_recent.c.sender_id == events.c.sender_id)
        .where(events.c.type_name == "session_started")
        .where(events.c.timestamp <= first_recent.c.first)
        .group_by(events.c.sender_id)
    )
    return {sender: boundary for sender, boundary in conn.execute(query)}


def _purge_old_sessions(conn: sa.engine.Connection, cutoff: float) -> int:
    """Delete the old sessions of active conversations; returns the number of events."""
    removed = 0
    has_messages = sa.inspect(conn).has_table("console_messages")
    messages = sa.table("console_messages", sa.column("event_id"))
    for sender, boundary in old_session_boundaries(conn, cutoff).items():
        old = (events.c.sender_id == sender) & (events.c.timestamp < boundary)
        ids = list(conn.execute(sa.select(events.c.id).where(old)).scalars())
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            if has_messages:  # the console's copy of those user messages goes too
                conn.execute(sa.delete(messages).where(messages.c.event_id.in_(chunk)))
            removed += conn.execute(sa.delete(events).where(events.c.id.in_(chunk))).rowcount
    return removed


def _recent(cutoff: float) -> sa.sql.Select:
    return sa.select(events.c.sender_id).where(events.c.timestamp >= cutoff)


RETENTION_TASK = web.AppKey("privacy_retention_task", asyncio.Task)


def setup(
    app: web.Application,
    *,
    engine_or_url: Engine | str | sa.engine.URL | None = None,
    days: int | None = None,
    interval_seconds: float | None = None,
) -> None:
    """Run retention in ``app``: once at startup, then every ``interval_seconds``.

    ``engine_or_url`` defaults to the tracker store of the endpoints file (``ENDPOINTS``);
    ``interval_seconds`` to ``WEGWEISER_RETENTION_INTERVAL_SECONDS`` or 6 hours. The
    period is resolved at startup, so a bad setting stops the service from starting.
    """
    interval = interval_seconds or float(os.environ.get(INTERVAL_ENV) or DEFAULT_INTERVAL)

    async def start(app: web.Application) -> None:
        period = retention_days(days)
        engine = engine_for(engine_or_url)
        app[RETENTION_TASK] = asyncio.create_task(_loop(engine, period, interval))

    async def stop(app: web.Application) -> None:
        task = app.get(RETENTION_TASK)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(start)  # type: ignore[arg-type]  # aiohttp 3.9 mistypes Signal
    app.on_cleanup.append(stop)  # type: ignore[arg-type]


async def _loop(engine: Engine, days: int, interval: float) -> None:
    while True:
        try:
            # SQLAlchemy is synchronous: keep the event loop free while it deletes.
            result = await asyncio.to_thread(purge, engine, days)
            if result.conversations:
                logger.info(
                    "Retention: deleted %d conversations (%d events) older than %d days.",
                    result.conversations,
                    result.events,
                    days,
                )
        except Exception:  # a database hiccup must not kill the service; retry next time
            logger.exception("Retention run failed; retrying in %.0f s.", interval)
        await asyncio.sleep(interval)
