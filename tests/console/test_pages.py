"""Console pages end to end over HTTP: bad input, XSS, audit, exports, deletion, outages."""

from __future__ import annotations

import csv
import io
import re

import yaml

from bot.console import db
from bot.console.typedefs import ENGINE
from tests.console.conftest import csrf_of, login

LINK = re.compile(r'href="/staff/conversations/([^"#]+)"')


async def admin(console) -> None:
    assert (await login(console, "alice")).status == 303


async def first_link(console, query: str = "") -> str:
    page = await (await console.get("/staff/conversations" + query)).text()
    return LINK.search(page).group(1)


async def test_bad_input_gets_clear_4xx_pages(console):
    await admin(console)
    for query in (
        "?language=xx",
        "?from=yesterday",
        "?below=2",
        "?below=abc",
        "?page=abc",
        "?page=0",
        "?page=99999999999999999999",
        "?sort=password",
        "?tag=evil",
        "?fallback=maybe",
        "?from=2026-05-02&to=2026-05-01",
        "?channel=%00",
    ):
        resp = await console.get("/staff/conversations" + query)
        text = await resp.text()
        assert resp.status == 400, query
        assert "Traceback" not in text and 'role="alert"' in text, query
        assert 'class="filters"' in text, query  # the form comes back with what to fix
    text = await (await console.get("/staff/conversations?below=2&language=xx")).text()
    # German by default, validation messages included.
    assert "Niedrigste Konfidenz unter: eine Zahl von 0 bis 1" in text
    assert "Sprache: eins von: de, en" in text
    text = await (await console.get("/staff/conversations?below=2&ui=en")).text()
    assert "Lowest confidence below: a number from 0 to 1" in text
    resp = await console.get("/staff/conversations?page=999999")
    assert resp.status == 200
    assert "past the last page" in await resp.text() or "hinter der letzten" in await resp.text()
    for path in (
        "/staff/conversations/not-a-key",
        "/staff/conversations/gAAAAABnot-valid",
        "/staff/no-such-page",
    ):
        resp = await console.get(path)
        assert resp.status == 404, path
        assert "Traceback" not in await resp.text()
    for path in (
        "/staff/misunderstood?page=-1",
        "/staff/misunderstood?language=zz",
        "/staff/analytics?from=x",
        "/staff/audit?page=x",
    ):
        assert (await console.get(path)).status == 400, path


async def test_stored_script_is_shown_as_text(console):
    await admin(console)
    key = await first_link(console, "?q=script")
    page = await (await console.get(f"/staff/conversations/{key}")).text()
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>window.__xss" not in page and "<b>bold</b>" not in page


async def test_transcript_view_tag_note_and_audit(console):
    await admin(console)
    key = await first_link(console, "?language=ar&city=Essen")
    page = await (await console.get(f"/staff/conversations/{key}")).text()
    assert 'dir="auto"' in page and "أين الجوب سنتر في إيسن؟" in page
    assert "find_office" in page and "0,93" in page and "utter_office_found" in page
    assert "essen-jobcenter" in page
    # The raw sender id is never shown, not even in URLs.
    assert "ar-essen" not in page
    token = await csrf_of(console, f"/staff/conversations/{key}")
    resp = await console.post(
        f"/staff/conversations/{key}/tags", data={"csrf": token, "tag": "outdated_contact"}
    )
    assert resp.status == 200
    resp = await console.post(
        f"/staff/conversations/{key}/notes",
        data={"csrf": token, "text": "Adresse des Jobcenters prüfen"},
    )
    assert "Adresse des Jobcenters prüfen" in await resp.text()
    listed = await (await console.get("/staff/conversations?tag=outdated_contact")).text()
    assert 'id="total">1<' in listed
    audit = await (await console.get("/staff/audit")).text()
    assert audit.count('title="view"') >= 1 and 'title="tag"' in audit
    assert 'title="login"' in audit and ">Gespräch geöffnet<" in audit and ">markiert<" in audit


async def test_assign_and_export_nlu_yaml(console):
    await admin(console)
    page = await (await console.get("/staff/misunderstood?language=ar")).text()
    event_id = re.search(r"/staff/misunderstood/(\d+)/assign", page).group(1)
    token = await csrf_of(console, "/staff/misunderstood?language=ar")
    resp = await console.post(
        f"/staff/misunderstood/{event_id}/assign",
        data={"csrf": token, "intent": "ask_work_permit", "back": "?language=ar&status=all"},
    )
    text = await resp.text()
    assert resp.status == 200 and 'data-intent="ask_work_permit">✓ Arbeitserlaubnis' in text
    bad = await console.post(
        f"/staff/misunderstood/{event_id}/assign", data={"csrf": token, "intent": "rm -rf"}
    )
    assert bad.status == 400
    missing = await console.post(
        "/staff/misunderstood/987654/assign", data={"csrf": token, "intent": "greet"}
    )
    assert missing.status == 404
    resp = await console.post("/staff/misunderstood/export", data={"csrf": token, "language": "ar"})
    assert resp.status == 200
    assert "nlu-reviewed-ar.yml" in resp.headers["Content-Disposition"]
    doc = yaml.safe_load(await resp.text())
    assert doc["nlu"][0]["intent"] == "ask_work_permit"
    assert doc["nlu"][0]["metadata"] == {"language": "ar"}
    assert "بدي ورقة للشغل" in doc["nlu"][0]["examples"]
    audit = await (await console.get("/staff/audit")).text()
    assert 'title="export"' in audit and "nlu-ar" in audit and 'title="assign"' in audit


async def test_analytics_page_csv_and_directory(console):
    await admin(console)
    page = await (await console.get("/staff/analytics?from=2026-09-20&to=2026-09-30")).text()
    assert 'id="chart-data"' in page and "vendor/chart.umd.min.js" in page
    assert (await console.get("/staff/static/vendor/chart.umd.min.js")).status == 200
    token = await csrf_of(console, "/staff/analytics")
    resp = await console.post(
        "/staff/analytics.csv", data={"csrf": token, "from": "2026-09-20", "to": "2026-09-30"}
    )
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    by = {(r["metric"], r["day"], r["key"]): r["value"] for r in rows}
    assert by[("conversations_by_language", "2026-09-21", "ar")] == "1"
    assert by[("conversations_by_channel", "2026-09-22", "telegram")] == "1"
    assert any(r["metric"] == "unanswered" and r["key2"] == "ar" for r in rows)
    directory = await (await console.get("/staff/directory")).text()
    assert "essen-jobcenter" in directory and "jobcenter" in directory


async def test_admin_deletes_a_conversation(console):
    await admin(console)
    key = await first_link(console, "?human=1")
    token = await csrf_of(console, f"/staff/conversations/{key}")
    resp = await console.post(f"/staff/conversations/{key}/delete", data={"csrf": token})
    assert resp.status == 200
    assert (await console.get(f"/staff/conversations/{key}")).status == 404
    listed = await (await console.get("/staff/conversations?human=1")).text()
    assert 'id="total">' not in listed or 'id="total">0<' in listed
    audit = await (await console.get("/staff/audit")).text()
    assert 'title="delete">Gespräch gelöscht<' in audit


async def test_database_unreachable_gives_503_page(console):
    await admin(console)
    sub = console.server.app._subapps[0]
    working = sub[ENGINE]
    # Point the console at a server that does not answer (a DB outage).
    sub._state[ENGINE] = db.make_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none")
    try:
        resp = await console.get("/staff/conversations")
        text = await resp.text()
        assert resp.status == 503
        assert "Traceback" not in text and ("not reachable" in text or "nicht erreichbar" in text)
    finally:
        sub._state[ENGINE] = working
    assert (await console.get("/staff/conversations")).status == 200


async def test_german_and_english_ui(console):
    page = await (await console.get("/staff/login?ui=en")).text()
    assert ">Log in<" in page
    page = await (await console.get("/staff/login?ui=de")).text()
    assert ">Anmelden<" in page and '<html lang="de">' in page
