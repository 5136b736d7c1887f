"""SQL filters, transcript, misunderstood, export and analytics against SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa

from bot.console import db, queries, seed, summary
from bot.console.queries import Filters
from tests.console.conftest import T0, prepare, seed_known


def senders(engine, **filters) -> set[str]:
    page = queries.list_conversations(engine, Filters(**filters), page_size=100)
    assert page.total == len(page.rows)
    return {r["sender_id"] for r in page.rows}


def test_filters_run_in_sql_on_both_backends(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    assert senders(engine) == {"ar-essen", "ar-fallback", "de-human", "en-lowconf", "xss"}
    assert senders(engine, language="ar") == {"ar-essen", "ar-fallback"}
    assert senders(engine, channel="telegram") == {"ar-fallback"}
    assert senders(engine, city="Essen") == {"ar-essen"}
    assert senders(engine, intent="thank") == {"ar-essen"}
    assert senders(engine, fallback=True) == {"ar-fallback", "xss"}
    assert senders(engine, fallback=False) == {"ar-essen", "de-human", "en-lowconf"}
    assert senders(engine, below=0.5) == {"ar-fallback", "en-lowconf", "xss"}
    assert senders(engine, human=True) == {"de-human"}
    assert senders(engine, q="الجوب") == {"ar-essen"}  # stored as \u escapes by Rasa
    assert senders(engine, q="SCRIPT") == {"xss"}  # case-insensitive
    assert senders(engine, q="100%") == set()  # LIKE wildcards are escaped
    day = dt.datetime.fromtimestamp(T0, dt.timezone.utc).date()
    assert senders(
        engine, date_from=day + dt.timedelta(days=1), date_to=day + dt.timedelta(days=2)
    ) == {"ar-fallback", "de-human"}
    assert senders(engine, language="ar", fallback=True) == {"ar-fallback"}
    with engine.begin() as conn:
        conn.execute(
            db.tags.insert().values(
                sender_id="de-human", tag="praise", created_by="x", created_at=1
            )
        )
    assert senders(engine, tag="praise") == {"de-human"}

    page = queries.list_conversations(engine, Filters(sort="started", desc=False), page_size=2)
    assert (page.total, page.pages) == (5, 3)
    assert [r["sender_id"] for r in page.rows] == ["ar-essen", "ar-fallback"]
    page3 = queries.list_conversations(
        engine, Filters(sort="started", desc=False, page=3), page_size=2
    )
    assert [r["sender_id"] for r in page3.rows] == ["xss"]
    assert dict(page.by_language) == {"ar": 2, "en": 2, "de": 1}
    far = queries.list_conversations(engine, Filters(page=10**6), page_size=25)
    assert far.rows == [] and far.total == 5
    engine.dispose()


def test_summary_is_incremental_and_follows_deletions(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    row = queries.list_conversations(engine, Filters(), 100).rows
    before = next(r for r in row if r["sender_id"] == "ar-essen")
    assert (before["n_user"], before["language"], before["city"]) == (2, "ar", "Essen")
    # The same conversation continues in German in another city.
    more = seed.conversation(
        "ar-essen",
        T0 + 600,
        [
            seed.Turn(
                "Dortmund bitte", "inform", 0.99, "de", slots={"language": "de", "city": "Dortmund"}
            )
        ],
    )
    seed.insert(engine, "ar-essen", more)
    assert summary.refresh_all(engine) == len(more)
    after = next(
        r
        for r in queries.list_conversations(engine, Filters(), 100).rows
        if r["sender_id"] == "ar-essen"
    )
    assert (after["n_user"], after["language"], after["city"]) == (3, "de", "Dortmund")
    assert after["started_at"] == before["started_at"]
    assert summary.refresh_all(engine) == 0

    # Events removed by someone else (retention, self-deletion): prune drops console rows.
    with engine.begin() as conn:
        conn.execute(db.events.delete().where(db.events.c.sender_id == "xss"))
    assert summary.prune(engine) >= 2  # summary + misunderstood row
    assert "xss" not in senders(engine)
    rows, total, _, _ = queries.misunderstood(engine, None, "all", 1, 50)
    assert all(r["sender_id"] != "xss" for r in rows)

    summary.forget(engine, ["en-lowconf"])
    assert "en-lowconf" not in senders(engine)
    assert all(
        r["sender_id"] != "en-lowconf" for r in queries.misunderstood(engine, None, "all", 1, 50)[0]
    )

    assert summary.delete_conversation(engine, "ar-fallback") > 0
    assert "ar-fallback" not in senders(engine)
    with engine.connect() as conn:
        left = conn.execute(
            sa.select(sa.func.count())
            .select_from(db.events)
            .where(db.events.c.sender_id == "ar-fallback")
        ).scalar()
    assert left == 0
    engine.dispose()


def test_transcript_misunderstood_export_and_analytics(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    tr = queries.transcript(engine, "ar-essen")
    users = [i for i in tr["items"] if i["kind"] == "user"]
    bots = [i for i in tr["items"] if i["kind"] == "bot"]
    assert [u["intent"] for u in users] == ["find_office", "thank"]
    assert users[0]["language"] == "ar" and users[0]["confidence"] == 0.93
    assert users[0]["text"] == "أين الجوب سنتر في إيسن؟"
    assert bots[0]["response"] == "utter_office_found"
    assert bots[0]["action"] == "action_answer" and bots[0]["card"] == "essen-jobcenter"
    assert tr["slots"] == {"language": "ar", "city": "Essen"}
    assert [i["kind"] for i in tr["items"]][0] == "session"
    assert queries.transcript(engine, "nobody") is None

    rows, total, groups, per_reason = queries.misunderstood(engine, None, "open", 1, 50)
    assert per_reason == {"fallback": 2, "low_confidence": 1}
    assert {r["sender_id"] for r in rows} == {"ar-fallback", "en-lowconf", "xss"}
    assert dict(groups) == {"ar": 1, "en": 2}
    ar = next(r for r in rows if r["sender_id"] == "ar-fallback")
    assert ar["guess"] == "find_office"
    with engine.begin() as conn:
        conn.execute(
            db.misunderstood.update()
            .where(db.misunderstood.c.event_id == ar["event_id"])
            .values(assigned_intent="ask_work_permit", assigned_by="rita", assigned_at=time.time())
        )
    text, count = queries.nlu_yaml(engine, "ar")
    assert count == 1
    import yaml

    doc = yaml.safe_load(text)
    assert doc["nlu"] == [
        {
            "intent": "ask_work_permit",
            "metadata": {"language": "ar"},
            "examples": "- بدي ورقة للشغل\n",
        }
    ]
    assert queries.nlu_yaml(engine, "de")[1] == 0

    day = dt.datetime.fromtimestamp(T0, dt.timezone.utc).date()
    data = queries.analytics(engine, day, day + dt.timedelta(days=6))
    first = (day - dt.date(1970, 1, 1)).days
    assert (first, "ar", 1, 2) in data["by_language"]
    assert (first + 1, "telegram", 1, 1) in data["by_channel"]
    assert (first + 1, 1, 1) in data["fallback_rate"]
    assert dict(data["top_intents"])["nlu_fallback"] == 2
    assert dict(data["top_cities"]) == {"Essen": 1, "Dortmund": 1, "Bochum": 1}
    assert (None, "ar", 1) in data["unanswered"] and ("Bochum", "en", 1) in data["unanswered"]
    assert queries.office_views(engine)["essen-jobcenter"][0] == 1
    engine.dispose()


def test_migration_adds_indexes_to_an_existing_rasa_table(db_url):
    # Rasa created `events` first (its own DDL, only the sender_id index).
    engine = db.make_engine(db_url)
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine)
    db.migrate(engine)
    db.migrate(engine)  # idempotent
    names = {ix["name"] for ix in sa.inspect(engine).get_indexes("events")}
    assert {
        "ix_events_sender_id",
        "ix_console_events_type_intent",
        "ix_console_events_timestamp",
    } <= names
    engine.dispose()
