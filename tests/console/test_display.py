"""How transcripts read: isolated LTR runs in RTL text, button titles, automatic greetings."""

from __future__ import annotations

import re

import sqlalchemy as sa

from bot.console import db, seed, summary
from bot.console.display import bidi_isolate, is_payload
from tests.console.conftest import T0, client_for, login, make_settings, prepare
from tests.console.test_pages import first_link

CARD_AR = "مكتب Jobcenter Essen: اتصل على +49 201 88-38883 أو زر www.bamf.de/DE/Startseite.html."
BUTTONS = [
    {"title": "مركز العمل", "payload": '/find_office{"office_type": "jobcenter"}'},
    {"title": "دورة لغة", "payload": "/ask_language_course"},
]


def test_ltr_runs_are_isolated_in_rtl_text_only():
    html = str(bidi_isolate(CARD_AR))
    assert '<bdi dir="ltr">+49 201 88-38883</bdi>' in html
    assert '<bdi dir="ltr">www.bamf.de/DE/Startseite.html</bdi>.' in html
    assert '<bdi dir="ltr">Jobcenter Essen</bdi>' in html
    assert str(bidi_isolate("Call +49 201 88-38883")) == "Call +49 201 88-38883"
    # Still escaped: isolation never lets markup through.
    assert "<script>" not in str(bidi_isolate("<script>x</script> مرحبا"))
    assert is_payload('/find_office{"office_type": "jobcenter"}') and is_payload("/greet")
    assert not is_payload("/ hallo") and not is_payload("hallo /greet")


def seed_buttons(engine: sa.engine.Engine) -> None:
    """An Arabic chat opened by the widget's automatic /greet, with a button press."""
    T = seed.Turn
    turns = [
        T("/greet", "greet", 1.0, "ar", reply="مرحبا! كيف أساعدك؟", buttons=BUTTONS),
        T(BUTTONS[0]["payload"], "find_office", 1.0, "ar", reply=CARD_AR, utter="utter_card"),
    ]
    seed.insert(engine, "ar-buttons", seed.conversation("ar-buttons", T0, turns, "socketio"))
    typed = [T("hallo", "greet", 0.98, "de", slots={"language": "de"})]
    seed.insert(engine, "de-typed", seed.conversation("de-typed", T0, typed, "rest"))
    summary.refresh_all(engine)


async def test_transcript_shows_button_titles_and_isolates_numbers(sqlite_url):
    engine = prepare(sqlite_url)
    seed_buttons(engine)
    async with client_for(make_settings(sqlite_url)) as client:
        assert (await login(client, "alice")).status == 303
        key = await first_link(client, "?language=ar&ui=en")
        page = await (await client.get(f"/staff/conversations/{key}?ui=en")).text()
    assert "Pressed the button" in page and "مركز العمل" in page
    assert "Opened the chat (automatic greeting, not typed)" in page
    assert '<bdi dir="ltr">+49 201 88-38883</bdi>' in page
    # The automatic greeting is no intent anyone asked for; the typed "hallo" is.
    i = db.daily_intents.c
    with engine.connect() as conn:
        greet = conn.execute(sa.select(sa.func.sum(i.n)).where(i.intent == "greet")).scalar()
    assert greet == 1
    engine.dispose()


async def test_conversation_list_previews_the_first_typed_message(sqlite_url):
    engine = prepare(sqlite_url)
    seed_buttons(engine)
    T = seed.Turn
    long = "Ich suche einen Deutschkurs, meine Nummer ist 0176 1234567, " + "bitte " * 30
    turns = [T("/greet", "greet", 1.0, "de"), T(long, "ask_language_course", 0.9, "de")]
    seed.insert(engine, "de-long", seed.conversation("de-long", T0 + 60, turns, "rest"))
    summary.refresh_all(engine)
    engine.dispose()
    async with client_for(make_settings(sqlite_url)) as client:
        assert (await login(client, "alice")).status == 303
        page = await (await client.get("/staff/conversations?ui=en")).text()
    previews = re.findall(r'<p class="preview"[^>]*>(.*?)</p>', page, re.S)
    assert len(previews) == 3
    assert any(
        p.startswith("Ich suche einen Deutschkurs, meine Nummer ist [PHONE]") for p in previews
    )
    assert any(p.endswith("…") and len(p) < 140 for p in previews)  # shortened
    assert "hallo" in previews
    assert any("(buttons only)" in p for p in previews)  # ar-buttons: /greet + a button
    assert "/greet" not in "".join(previews)


def test_migration_0006_counts_off_greetings_folded_before(db_url, monkeypatch):
    from alembic import command

    engine = db.make_engine(db_url)
    command.upgrade(db.alembic_config(engine), "0005")
    # Folded by the code before: every /greet counted as an intent.
    monkeypatch.setattr(summary, "is_automatic_greeting", lambda text: False)
    seed_buttons(engine)
    monkeypatch.undo()
    i = db.daily_intents.c
    greet = sa.select(sa.func.coalesce(sa.func.sum(i.n), 0)).where(i.intent == "greet")
    with engine.connect() as conn:
        assert conn.execute(greet).scalar() == 2
    db.migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(greet).scalar() == 1  # the typed "hallo" only
        ci = db.conversation_intents.c
        rows = conn.execute(
            sa.select(ci.sender_id).where(ci.intent == "greet").order_by(ci.sender_id)
        ).all()
    assert [r[0] for r in rows] == ["de-typed"]
    engine.dispose()
