""" "Misunderstood" lists more than fallbacks: form answers not understood, replies in
another language than the message, unsupported languages; the export is useful at once."""

from __future__ import annotations

import re

import sqlalchemy as sa
import yaml
from alembic import command

from bot.console import db, seed, summary
from tests.console.conftest import T0, client_for, csrf_of, login, make_settings, prepare

T = seed.Turn


def seed_reasons(engine: sa.engine.Engine) -> None:
    """One conversation per new reason, and one that must not be listed."""
    convs = {
        # German conversation; a whole Arabic sentence is still answered in German.
        "other-lang": [
            T(
                "Wo ist das Jobcenter in Essen?",
                "find_office",
                0.95,
                "de",
                slots={"language": "de"},
            ),
            T("أريد أن أعرف أين مكتب الأجانب في المدينة", "find_office", 0.9, "ar"),
        ],
        # The guidance form could not read an answer.
        "form": [
            T(
                "Welches Amt ist zuständig?",
                "ask_responsibility",
                0.97,
                "de",
                slots={"language": "de"},
            ),
            T(
                "vielleicht so halb",
                "inform",
                0.91,
                "de",
                utter="utter_guidance_not_understood",
            ),
        ],
        # A full sentence in a language the bot does not speak.
        "unsupported": [
            T("¿Dónde está la oficina de empleo más cercana?", "unsupported_language", 0.96, "es"),
        ],
        # Opened by the widget (payload), answered in the conversation's language: fine.
        "fine": [
            T("/greet", "greet", 1.0, "en", slots={"language": "de"}),
            T("Danke schön", "thank", 0.99, "de"),
        ],
    }
    for i, (sender, turns) in enumerate(convs.items()):
        seed.insert(engine, sender, seed.conversation(sender, T0 + i * 60, turns, "rest"))
    summary.refresh_all(engine)


def test_fold_lists_the_new_reasons(sqlite_url):
    engine = prepare(sqlite_url)
    seed_reasons(engine)
    m = db.misunderstood.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(m.sender_id, m.text, m.reasons).order_by(m.event_id)).all()
    engine.dispose()
    assert [(r.sender_id, r.reasons) for r in rows] == [
        ("other-lang", "other_language"),
        ("form", "form_answer"),
        ("unsupported", "unsupported_language"),
    ]
    assert rows[1].text == "vielleicht so halb"


async def test_page_filters_by_reason_and_first_export_is_useful(sqlite_url):
    engine = prepare(sqlite_url)
    seed_reasons(engine)
    engine.dispose()
    async with client_for(make_settings(sqlite_url)) as client:
        assert (await login(client, "alice")).status == 303
        page = await (await client.get("/staff/misunderstood?ui=en")).text()
        assert 'role="status">3<' in page
        for why in ("other_language", "form_answer", "unsupported_language"):
            assert f'data-reason="{why}">' in page
        assert "reply in another language than the message" in page
        only = await (await client.get("/staff/misunderstood?reason=form_answer")).text()
        assert 'role="status">1<' in only and "vielleicht so halb" in only
        assert (await client.get("/staff/misunderstood?reason=nonsense")).status == 400
        # The export works from the unfiltered page and is not empty before any review.
        assert 'name="language"' in page and "Export NLU YAML" in page
        token = await csrf_of(client, "/staff/misunderstood")
        resp = await client.post(
            "/staff/misunderstood/export", data={"csrf": token, "language": "de"}
        )
        text = await resp.text()
    assert resp.status == 200
    assert yaml.safe_load(text)["nlu"] == []  # nothing unreviewed is trained by mistake
    assert re.search(r"# guess: .*\n#     - vielleicht so halb  \(form_answer\)", text)


def test_migration_0005_gives_old_rows_their_reason(db_url):
    engine = db.make_engine(db_url)
    db.migrate(engine)
    cfg = db.alembic_config(engine)
    command.downgrade(cfg, "0004")
    with engine.begin() as conn:
        for event_id, intent in ((1, "nlu_fallback"), (2, "find_office")):
            conn.execute(
                sa.text(
                    "INSERT INTO console_misunderstood (event_id, sender_id, timestamp, text, "
                    "intent, confidence) VALUES (:e, 's', 1.0, 'x', :i, 0.3)"
                ),
                {"e": event_id, "i": intent},
            )
    command.upgrade(cfg, "head")
    m = db.misunderstood.c
    with engine.connect() as conn:
        got = conn.execute(sa.select(m.event_id, m.reasons).order_by(m.event_id)).all()
    engine.dispose()
    assert [tuple(r) for r in got] == [(1, "fallback"), (2, "low_confidence")]


def test_short_messages_are_not_called_another_language(sqlite_url):
    """A one-word "Danke" in an English conversation is no language change to review."""
    engine = prepare(sqlite_url)
    events = seed.conversation(
        "short",
        T0,
        [
            T("Where is the job centre?", "find_office", 0.95, "en", slots={"language": "en"}),
            T("Danke", "thank", 0.99, "de"),
            T("Ich möchte wissen, wo das Jobcenter ist", "find_office", 0.95, "de"),
        ],
    )
    users = [e for e in events if e["event"] == "user"]
    users[1]["parse_data"]["language"]["evidence"] = 5
    users[2]["parse_data"]["language"]["evidence"] = 32
    seed.insert(engine, "short", events)
    summary.refresh_all(engine)
    m = db.misunderstood.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(m.text, m.reasons)).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("Ich möchte wissen, wo das Jobcenter ist", "other_language")
    ]
