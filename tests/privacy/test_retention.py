"""Retention on SQLite and PostgreSQL: the function, the CLI and the web-service task."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from aiohttp import web

from bot.paths import PROJECT_ROOT
from bot.privacy import deletion, retention
from bot.privacy.db import events, metadata, secure_deletes
from bot.privacy.deletion import delete_conversation
from bot.privacy.retention import purge, retention_days
from tests.privacy.helpers import console_tags

DAY = 86400.0
NOW = time.time()


def seed(url: str, conversations: dict[str, list[float]]) -> sa.engine.Engine:
    """Events with the given ages (days) per sender."""
    engine = sa.create_engine(url, future=True)
    metadata.create_all(engine, tables=[events])
    with engine.begin() as conn:
        for sender, ages in conversations.items():
            for age in ages:
                conn.execute(
                    events.insert().values(
                        sender_id=sender,
                        type_name="user",
                        timestamp=NOW - age * DAY,
                        data=json.dumps({"event": "user", "text": "hi"}),
                    )
                )
    return engine


def senders(engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = sa.select(events.c.sender_id, sa.func.count()).group_by(events.c.sender_id)
        return dict(conn.execute(query).all())


CONVERSATIONS = {
    "old": [200, 150, 120],  # last event 120 days ago: expired at 90
    "resumed": [200, 10],  # began long ago, last event recent: kept whole
    "recent": [5, 1],
    "borderline": [89.9],
}


def test_conversations_whose_last_event_is_older_are_deleted(db_url):
    engine = seed(db_url, CONVERSATIONS)
    result = purge(engine, 90, now=NOW)
    assert (result.conversations, result.events) == (1, 3)
    assert senders(engine) == {"resumed": 2, "recent": 2, "borderline": 1}
    result = purge(engine, 3, now=NOW)
    assert senders(engine) == {"recent": 2}
    with engine.connect() as conn:
        log = conn.execute(sa.text("SELECT action, conversations FROM privacy_log")).all()
    assert [tuple(r) for r in log] == [("retention", 1), ("retention", 2)]
    engine.dispose()


def test_dry_run_counts_without_deleting(db_url):
    engine = seed(db_url, CONVERSATIONS)
    result = purge(engine, 90, now=NOW, dry_run=True)
    assert (result.conversations, result.events, result.dry_run) == (1, 3, True)
    assert len(senders(engine)) == 4
    engine.dispose()


def test_admin_deletion_of_one_conversation(db_url):
    engine = seed(db_url, CONVERSATIONS)
    tags = console_tags(engine, ["recent", "old"])
    assert delete_conversation(engine, "recent", also_delete_from=["console_tags"]) == 2
    assert delete_conversation(engine, "no-such-sender") == 0
    assert "recent" not in senders(engine)
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(sa.select(tags.c.sender_id))] == ["old"]
    engine.dispose()


def test_related_console_rows_go_with_expired_conversations(db_url):
    engine = seed(db_url, CONVERSATIONS)
    tags = console_tags(engine, ["old", "recent"])
    purge(engine, 90, now=NOW, also_delete_from=["console_tags", "no_such_table"])
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(sa.select(tags.c.sender_id))] == ["recent"]
    engine.dispose()


def test_a_message_arriving_during_the_run_keeps_the_conversation_and_its_rows(db_url, monkeypatch):
    engine = seed(db_url, CONVERSATIONS)
    tags = console_tags(engine, ["old", "recent"])
    # As if "recent" had been idle when the run selected it and wrote just before the delete.
    monkeypatch.setattr(retention, "expired_senders", lambda conn, cutoff: ["old", "recent"])
    result = purge(engine, 90, now=NOW, also_delete_from=["console_tags"])
    assert result.conversations == 1
    assert "recent" in senders(engine) and "old" not in senders(engine)
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(sa.select(tags.c.sender_id))] == ["recent"]
    engine.dispose()


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.privacy", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_dry_run_then_delete(db_url):
    engine = seed(db_url, CONVERSATIONS)
    dry = run_cli("retention", "--dry-run", "--db-url", db_url)
    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 conversations, 3 events" in dry.stdout
    assert len(senders(engine)) == 4
    done = run_cli("retention", "--db-url", db_url, env={"WEGWEISER_RETENTION_DAYS": "3"})
    assert done.returncode == 0, done.stderr
    assert "retention 3 days" in done.stdout and "deleted 3 conversations, 6 events" in done.stdout
    assert senders(engine) == {"recent": 2}
    engine.dispose()


def test_cli_rejects_bad_days():
    result = run_cli("retention", "--days", "0", "--db-url", "sqlite://")
    assert result.returncode == 2
    assert "at least 1" in result.stderr


def test_period_comes_from_argument_env_endpoints_default(monkeypatch):
    monkeypatch.delenv(retention.DAYS_ENV, raising=False)
    assert retention_days(None, {"retention_days": 30}) == 30
    assert retention_days(None, {}) == retention.DEFAULT_DAYS
    monkeypatch.setenv(retention.DAYS_ENV, "14")
    assert retention_days(None, {"retention_days": 30}) == 14
    assert retention_days(7, {"retention_days": 30}) == 7
    monkeypatch.setenv(retention.DAYS_ENV, "soon")
    with pytest.raises(ValueError, match="whole number"):
        retention_days(None, {})


def test_endpoints_file_configures_the_period(tmp_path, monkeypatch):
    monkeypatch.delenv(retention.DAYS_ENV, raising=False)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: bot.privacy.tracker_store.RedactingSQLTrackerStore\n"
        f"  dialect: sqlite\n  db: {tmp_path / 't.db'}\n  retention_days: 45\n"
    )
    monkeypatch.setenv("ENDPOINTS", str(endpoints))
    assert retention_days() == 45


async def test_the_web_service_task_runs_at_startup_and_stops_at_cleanup(db_url):
    engine = seed(db_url, CONVERSATIONS)
    app = web.Application()
    retention.setup(app, engine_or_url=engine, days=90, interval_seconds=3600)
    runner = web.AppRunner(app)
    await runner.setup()  # on_startup
    try:
        for _ in range(100):
            if "old" not in senders(engine):
                break
            await asyncio.sleep(0.1)
        assert set(senders(engine)) == {"resumed", "recent", "borderline"}
        task = app[retention.RETENTION_TASK]
        assert not task.done()
    finally:
        await runner.cleanup()  # on_cleanup
    assert task.cancelled()
    engine.dispose()


def test_log_table_creation_survives_losing_the_race_to_another_worker(db_url, monkeypatch):
    engine = sa.create_engine(db_url, future=True)
    deletion.privacy_log.drop(engine, checkfirst=True)
    create = deletion.privacy_log.create
    deletion.privacy_log.create(engine)  # the other worker was faster
    # This worker checked before the other one created the table, then issues CREATE.
    monkeypatch.setattr(
        deletion.privacy_log, "create", lambda bind, checkfirst=True: create(bind, checkfirst=False)
    )
    deletion.ensure_log_table(engine)  # no error: the table is there
    assert sa.inspect(engine).has_table("privacy_log")
    engine.dispose()


def seed_sessions(
    url: str, sender: str, sessions: list[list[float]], text: str
) -> sa.engine.Engine:
    """A conversation of several Rasa sessions: each a session start and user messages."""
    engine = sa.create_engine(url, future=True)
    metadata.create_all(engine, tables=[events])
    with engine.begin() as conn:
        for ages in sessions:
            start = max(ages) + 0.001
            rows = [("session_started", start, {"event": "session_started"})]
            rows += [("user", age, {"event": "user", "text": f"{text} {age}"}) for age in ages]
            for type_name, age, data in rows:
                conn.execute(
                    events.insert().values(
                        sender_id=sender,
                        type_name=type_name,
                        timestamp=NOW - age * DAY,
                        data=json.dumps(data),
                    )
                )
    return engine


def test_someone_writing_every_89_days_loses_the_old_sessions(db_url):
    # Sessions 267, 178, 89 and 0 days ago: only the last two are within 90 days.
    engine = seed_sessions(db_url, "returning", [[267], [178], [89], [0.1]], "hallo")
    engine = seed_sessions(db_url, "spanning", [[120, 30]], "hallo")  # one session across
    result = purge(engine, 90)
    assert result.conversations == 0 and result.events == 4
    with engine.connect() as conn:
        ages = sorted(
            round((NOW - ts) / DAY)
            for ts in conn.execute(
                sa.select(events.c.timestamp).where(events.c.sender_id == "returning")
            ).scalars()
        )
    assert ages == [0, 0, 89, 89]  # two sessions left, each its start + one message
    assert senders(engine)["spanning"] == 3  # the active session stays whole
    with engine.connect() as conn:
        log = conn.execute(sa.select(deletion.privacy_log.c.events)).scalars().all()
    assert log == [4]


def test_deleted_text_does_not_survive_in_the_sqlite_file(tmp_path):
    path = tmp_path / "tracker.db"
    url = f"sqlite:///{path}"
    marker = "Zeugenschutzprogramm-" + os.urandom(6).hex()
    seed_sessions(url, "to-delete", [[1, 0.5]], marker).dispose()
    assert marker.encode() in path.read_bytes()
    assert delete_conversation(url, "to-delete", also_delete_from=()) == 3
    data = path.read_bytes()
    wal = tmp_path / "tracker.db-wal"
    if wal.exists():
        data += wal.read_bytes()
    assert marker.encode() not in data


def test_sqlite_engines_zero_what_they_delete_whatever_the_build_default(tmp_path):
    # Debian's SQLite zeroes freed pages by default; other builds do not. Simulate one.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}", future=True)

    @sa.event.listens_for(engine, "connect")
    def build_default_off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
    secure_deletes(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
