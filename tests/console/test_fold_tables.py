"""Intent table, message search and daily aggregates (migration 0003) on SQLite and PostgreSQL.

Each is compared with the straightforward computation over ``events`` on seeded data, before
and after conversations continue or are deleted by every path the project has.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
import sqlalchemy as sa

from bot.console import db, queries, seed, summary
from bot.console.queries import Filters
from bot.privacy.deletion import delete_conversation as privacy_delete
from tests.console.conftest import T0, prepare, seed_known

DAY = 86400
START = dt.datetime.fromtimestamp(T0, dt.timezone.utc).date()
END = START + dt.timedelta(days=9)


def seed_random(engine: sa.engine.Engine, n: int = 120) -> None:
    """``n`` random conversations over ten days (seeded, so every run is the same)."""
    rng = random.Random(5)
    for i in range(n):
        sender = f"r{i:03d}"
        start = T0 + rng.uniform(0, 10 * DAY)
        seed.insert(engine, sender, seed.random_conversation(rng, sender, start))
    summary.refresh_all(engine)


def senders(engine: sa.engine.Engine, **filters: Any) -> set[str]:
    page = queries.list_conversations(engine, Filters(**filters), page_size=10_000)
    return {r["sender_id"] for r in page.rows}


def user_events(engine: sa.engine.Engine) -> list[Any]:
    e = db.events.c
    with engine.connect() as conn:
        return conn.execute(
            sa.select(e.sender_id, e.intent_name, e.timestamp, e.data).where(e.type_name == "user")
        ).all()


def expected_intent(engine: sa.engine.Engine, intent: str) -> set[str]:
    return {r.sender_id for r in user_events(engine) if r.intent_name == intent}


def expected_search(engine: sa.engine.Engine, needle: str) -> set[str]:
    return {
        r.sender_id
        for r in user_events(engine)
        if needle.lower() in (json.loads(r.data).get("text") or "").lower()
    }


def old_analytics(engine: sa.engine.Engine, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The analytics queries before migration 0003 (aggregates over the summary and events)."""
    c = db.conversations.c
    e = db.events.c
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    lo = (dt.datetime.combine(start, dt.time(), dt.timezone.utc) - epoch).total_seconds()
    hi = lo + ((end - start).days + 1) * DAY
    in_range = (c.started_at >= lo, c.started_at < hi)
    if engine.dialect.name == "postgresql":
        day = sa.cast(sa.func.floor(c.started_at / DAY), sa.Integer).label("day")
    else:
        day = sa.cast(c.started_at / DAY, sa.Integer).label("day")
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for key, col in (("by_language", c.language), ("by_channel", c.channel)):
            out[key] = sorted(
                (int(r[0]), r[1], r[2], int(r[3] or 0))
                for r in conn.execute(
                    sa.select(day, col, sa.func.count(), sa.func.sum(c.n_user))
                    .where(*in_range)
                    .group_by(day, col)
                )
            )
        out["fallback_rate"] = sorted(
            (int(r[0]), r[1], int(r[2] or 0))
            for r in conn.execute(
                sa.select(
                    day,
                    sa.func.count(),
                    sa.func.sum(sa.case((c.had_fallback == sa.true(), 1), else_=0)),
                )
                .where(*in_range)
                .group_by(day)
            )
        )
        out["top_intents"] = dict(
            conn.execute(
                sa.select(e.intent_name, sa.func.count())
                .where(e.type_name == "user", e.timestamp >= lo, e.timestamp < hi)
                .group_by(e.intent_name)
            ).all()
        )
        out["top_cities"] = dict(
            conn.execute(
                sa.select(c.city, sa.func.count())
                .where(*in_range, c.city.isnot(None))
                .group_by(c.city)
            ).all()
        )
    return out


def assert_analytics_match(engine: sa.engine.Engine, start: dt.date, end: dt.date) -> None:
    new = queries.analytics(engine, start, end)
    old = old_analytics(engine, start, end)
    key = lambda r: tuple((x is not None, x) for x in r)  # noqa: E731 (sort with None)
    for name in ("by_language", "by_channel", "fallback_rate"):
        assert sorted(new[name], key=key) == sorted(old[name], key=key), name
    # Fewer than 15 intents and cities are seeded, so the top-15 lists are complete.
    assert dict(new["top_intents"]) == old["top_intents"]
    assert dict(new["top_cities"]) == old["top_cities"]


def test_intent_filter_equals_events_lookup(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    seed_random(engine)
    for intent in ("find_office", "ask_language_course", "greet", "nlu_fallback", "thank"):
        assert senders(engine, intent=intent) == expected_intent(engine, intent), intent
    assert senders(engine, intent="no_such_intent") == set()
    assert senders(engine, intent="greet", language="ar") == {
        s for s in expected_intent(engine, "greet") if s in senders(engine, language="ar")
    }
    engine.dispose()


def test_search_equals_substring_scan(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    seed_random(engine)
    seed.insert(
        engine,
        "special",
        seed.conversation(
            "special",
            T0,
            [
                seed.Turn("Mein Anruf: [PHONE], 100% dringend", "inform", 0.9, "de"),
                seed.Turn('Sie sagte "Termin_A" für ПРИВЕТ-Kurs', "inform", 0.9, "de"),
            ],
        ),
    )
    summary.refresh_all(engine)
    needles = [
        "الجوب",  # Arabic
        "سنتر في",  # Arabic across a space
        "Привет",  # Cyrillic, stored both in lower (seed) and upper case
        "ПРИВЕТ",
        "джобцентр",
        "SCRIPT",  # ASCII case-insensitive
        "jobcenter",
        "[PHONE]",  # redaction placeholders are text
        "[phone]",
        "100%",  # wildcards are literal
        "0% d",
        "Termin_A",
        '"Termin',  # quotes are literal (FTS5 phrase syntax must not leak)
        "Kurs",
    ]
    for needle in needles:
        assert senders(engine, q=needle) == expected_search(engine, needle), needle
    assert "special" in senders(engine, q="[PHONE]")
    assert senders(engine, q="100%") == {"special"}
    assert senders(engine, q="Termin%A") == set()
    assert senders(engine, q="Termin_") == {"special"}
    assert senders(engine, q="%") == expected_search(engine, "%") == {"special"}
    assert senders(engine, q="zzzz-nowhere") == set()
    # Shorter than a trigram: the scan fallback (exact case outside ASCII on SQLite).
    for needle in ("ш", "مر", "Wo", "wo", "_", "A"):
        assert senders(engine, q=needle) == expected_search(engine, needle), needle
    engine.dispose()


def test_analytics_equal_old_queries_and_follow_changes(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    seed_random(engine)
    assert_analytics_match(engine, START, END)
    assert_analytics_match(engine, START + dt.timedelta(days=2), START + dt.timedelta(days=4))
    assert_analytics_match(engine, START, START)

    # A conversation continues on another day, in another language and city, with a fallback.
    more = seed.conversation(
        "r005",
        T0 + 2 * DAY,
        [
            seed.Turn("?", "nlu_fallback", 0.2, "fa", slots={"language": "fa", "city": "Hagen"}),
            seed.Turn("کجا", "find_office", 0.9, "fa"),
        ],
    )
    seed.insert(engine, "r005", more)
    summary.refresh_all(engine)
    assert_analytics_match(engine, START, END)

    # Deletions by every path: console, forget, prune (events deleted elsewhere), privacy.
    summary.delete_conversation(engine, "r001")
    summary.forget(engine, ["r002"])
    with engine.begin() as conn:
        conn.execute(db.events.delete().where(db.events.c.sender_id.in_(["r002", "r003"])))
    summary.prune(engine)
    privacy_delete(engine, "r004", also_delete_from=[t.name for t in summary.CONSOLE_TABLES])
    assert_analytics_match(engine, START, END)
    engine.dispose()


def _rows_of(engine: sa.engine.Engine, sender_id: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(
                sa.select(sa.func.count()).select_from(t).where(t.c.sender_id == sender_id)
            ).scalar_one()
            for t in (db.conversation_intents, db.messages)
        }


def test_deletion_removes_rows_from_new_tables(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    assert _rows_of(engine, "ar-essen") == {
        "console_conversation_intents": 2,
        "console_messages": 2,
    }
    summary.forget(engine, ["ar-essen"])
    assert _rows_of(engine, "ar-essen") == {
        "console_conversation_intents": 0,
        "console_messages": 0,
    }
    assert senders(engine, q="الجوب") == set()  # the text index follows (FTS5 triggers)

    summary.delete_conversation(engine, "de-human")
    assert sum(_rows_of(engine, "de-human").values()) == 0
    assert senders(engine, q="Menschen") == set()

    with engine.begin() as conn:
        conn.execute(db.events.delete().where(db.events.c.sender_id == "xss"))
    summary.prune(engine)
    assert sum(_rows_of(engine, "xss").values()) == 0
    assert senders(engine, q="script") == set()

    # "Delete my data" / admin deletion outside the console, with the endpoints file's list.
    from bot.privacy.deletion import related_tables

    assert privacy_delete(engine, "en-lowconf") > 0
    assert {"console_conversation_intents", "console_messages"} <= set(related_tables())
    assert sum(_rows_of(engine, "en-lowconf").values()) == 0
    assert senders(engine, intent="ask_recognition") == set()

    with engine.connect() as conn:
        intents = dict(
            conn.execute(
                sa.select(db.daily_intents.c.intent, sa.func.sum(db.daily_intents.c.n)).group_by(
                    db.daily_intents.c.intent
                )
            ).all()
        )
        cities = conn.execute(sa.select(sa.func.sum(db.daily_cities.c.conversations))).scalar_one()
    # Only "ar-fallback" is left: one nlu_fallback message, no city.
    assert {k: v for k, v in intents.items() if v} == {"nlu_fallback": 1}
    assert not cities
    engine.dispose()


def test_migration_0003_backfills_a_database_at_0002(db_url, monkeypatch):
    from alembic import command

    from bot.console.__main__ import main

    engine = db.make_engine(db_url)
    command.upgrade(db.alembic_config(engine), "0002")
    # Folded by the code of 0002, which knew no intent or message tables (nor reasons).
    monkeypatch.setattr(summary, "_add_intents_and_texts", lambda conn, accs: None)
    rows_0002 = summary._misunderstood_rows
    monkeypatch.setattr(
        summary,
        "_misunderstood_rows",
        lambda accs: [{k: v for k, v in r.items() if k != "reasons"} for r in rows_0002(accs)],
    )
    seed_known(engine)
    seed_random(engine, 60)
    monkeypatch.undo()
    # Events the 0002 fold has not seen yet reach the new tables through the normal fold.
    late = [seed.Turn("später ПРИВЕТ", "greet", 0.9, "de", slots={"city": "Hagen"})]
    seed.insert(engine, "late", seed.conversation("late", T0 + DAY, late))
    seed.insert(engine, "r007", seed.conversation("r007", T0 + 3 * DAY, late))

    monkeypatch.setenv("CONSOLE_DB_URL", db_url)
    monkeypatch.setenv("CONSOLE_SECRET_KEY", "A" * 43 + "=")
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # idempotent
    # Backfilled by the migration (before any new fold).
    assert "ar-essen" in senders(engine, q="الجوب") == expected_search(engine, "الجوب")
    assert senders(engine, intent="thank") == {"ar-essen"}
    assert dict(queries.analytics(engine, START, END)["top_cities"])["Essen"] >= 1
    assert summary.refresh_all(engine) == 2 * len(seed.conversation("x", T0, late))

    for intent in ("find_office", "greet", "nlu_fallback", "thank"):
        assert senders(engine, intent=intent) == expected_intent(engine, intent), intent
    for needle in ("الجوب", "привет", "script", "Jobcenter", "ш"):
        assert senders(engine, q=needle) == expected_search(engine, needle), needle
    assert {"late", "r007"} <= senders(engine, q="привет")
    assert_analytics_match(engine, START, END)

    # Down to 0002 and up again: the backfill now covers every folded event.
    command.downgrade(db.alembic_config(engine), "0002")
    assert not sa.inspect(engine).has_table("console_messages")
    db.migrate(engine)
    assert senders(engine, q="привет") == expected_search(engine, "привет")
    assert senders(engine, intent="greet") == expected_intent(engine, "greet")
    assert_analytics_match(engine, START, END)
    engine.dispose()


def test_retention_purge_keeps_new_tables_consistent(db_url):
    from bot.privacy.retention import purge

    engine = prepare(db_url)
    seed_known(engine)
    seed_random(engine, 80)
    # Conversations whose events are all older than T0 + 5 days go (endpoints file's tables).
    result = purge(engine, 95, now=T0 + 100 * DAY)
    assert result.conversations > 10
    assert "ar-essen" not in senders(engine)
    assert sum(_rows_of(engine, "ar-essen").values()) == 0
    for intent in ("find_office", "greet", "nlu_fallback", "thank"):
        assert senders(engine, intent=intent) == expected_intent(engine, intent), intent
    for needle in ("الجوب", "привет", "Jobcenter"):
        assert senders(engine, q=needle) == expected_search(engine, needle), needle
    assert_analytics_match(engine, START, END)
    engine.dispose()


def test_a_deadlock_victim_counts_as_a_lost_race(sqlite_url, monkeypatch):
    class Deadlock(Exception):
        pgcode = "40P01"

    def lose(engine, batch):
        raise sa.exc.OperationalError("UPDATE console_daily ...", {}, Deadlock())

    engine = prepare(sqlite_url)
    monkeypatch.setattr(summary, "_refresh", lose)
    with pytest.raises(summary.Raced):
        summary.refresh(engine)
    engine.dispose()
