"""The tracker store's database: its URL from endpoints.yml, an engine, the events table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.paths import PROJECT_ROOT

#: The SQL tracker store's table, as Rasa creates it (rasa/core/tracker_store.py).
metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def endpoints_path() -> Path:
    """The endpoints file the service runs with (``ENDPOINTS``, default endpoints.yml)."""
    path = Path(os.environ.get("ENDPOINTS", "endpoints.yml"))
    return path if path.is_absolute() else PROJECT_ROOT / path


def tracker_store_config(path: Path | None = None) -> dict[str, Any]:
    """The ``tracker_store`` section of the endpoints file, ``${VARS}`` substituted."""
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(path or endpoints_path()), "tracker_store")
    if config is None:
        raise ValueError(f"{path or endpoints_path()} has no tracker_store section")
    return {"url": config.url, "type": config.type, **config.kwargs}


def database_url(config: dict[str, Any]) -> str | sa.engine.URL:
    """The SQLAlchemy URL of a tracker_store config (the rules of Rasa's SQLTrackerStore)."""
    dialect = config.get("dialect", "sqlite")
    host = config.get("url")
    port = config.get("port")
    if host and "://" in str(host):
        return str(host)  # a complete URL in `url`
    if host and ":" in str(host):
        host, _, port = str(host).partition(":")
    db = str(config.get("db", "rasa.db"))
    if dialect == "sqlite" and not Path(db).is_absolute():
        db = str(PROJECT_ROOT / db)  # Rasa resolves it against its working directory
    return sa.engine.URL.create(
        dialect,
        username=config.get("username"),
        password=config.get("password"),
        host=host or None,
        port=int(port) if port else None,
        database=db,
        query=config.get("query") or {},
    )


def engine_for(engine_or_url: Engine | str | sa.engine.URL | None = None) -> Engine:
    """An engine: the one given, one for a URL, or the tracker store's from endpoints.

    SQLite engines overwrite what they delete (see :func:`secure_deletes`).
    """
    if isinstance(engine_or_url, Engine):
        return secure_deletes(engine_or_url)
    url = engine_or_url or database_url(tracker_store_config())
    return secure_deletes(sa.create_engine(url, future=True))


def secure_deletes(engine: Engine) -> Engine:
    """Make SQLite zero the pages it frees.

    Deleted conversations must not survive in free pages of the file (PostgreSQL's
    VACUUM reclaims dead rows itself).
    """
    if engine.dialect.name == "sqlite" and not getattr(engine, "_wegweiser_secure", False):

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.close()

        engine._wegweiser_secure = True
        engine.dispose()  # pooled connections were opened without the pragma
    return engine


def scrub_after_delete(engine: Engine) -> None:
    """After a deletion on SQLite, leave no copy of the deleted text in the file.

    Merges the search index's segments (the console's FTS table keeps deleted text in
    old segments until then) and empties the write-ahead log.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        if sa.inspect(conn).has_table("console_messages_fts"):
            conn.execute(
                sa.text("INSERT INTO console_messages_fts(console_messages_fts) VALUES('optimize')")
            )
    with engine.connect() as conn:
        conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))


def has_events(engine: Engine) -> bool:
    """True if the database exists and has Rasa's events table (a fresh install has not)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not Path(database).exists():
            return False  # do not create an empty database file as a side effect
    return sa.inspect(engine).has_table("events")
