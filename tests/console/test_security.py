"""Console hardening: cookies on redirects, server-side sessions, caching, CSV cells, CSP,
audit entries, throttling behind a proxy, audited and locked admin deletion, key file."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import os
import secrets
import stat
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from bot.console import auth, db, seed, summary
from bot.console.auth import client_address
from bot.console.settings import secret_key
from bot.console.views import csv_cell
from bot.paths import PROJECT_ROOT
from bot.web.middlewares import REFERRER_POLICY
from tests.console.conftest import (
    CSRF,
    PASSWORD,
    T0,
    client_for,
    csrf_of,
    login,
    make_settings,
    prepare,
    seed_known,
)
from tests.console.test_pages import first_link

HTTPS = {"X-Forwarded-Proto": "https"}


def set_cookies(resp) -> list[str]:
    return resp.headers.getall("Set-Cookie", [])


async def test_every_set_cookie_is_secure_on_https_including_redirects(console):
    token = await csrf_of(console, "/staff/login")
    resp = await console.post(
        "/staff/login",
        data={"username": "alice", "password": PASSWORD, "csrf": token},
        headers=HTTPS,
        allow_redirects=False,
    )
    assert resp.status == 303
    cookies = set_cookies(resp)
    assert cookies and all("Secure" in c for c in cookies), cookies
    # A redirect to the login page (no session) also sets the cookie: Secure too.
    console.session.cookie_jar.clear()
    resp = await console.get("/staff/conversations", headers=HTTPS, allow_redirects=False)
    assert resp.status == 303 and set_cookies(resp)
    assert all("Secure" in c for c in set_cookies(resp))
    # Headers are on redirects and error pages as well.
    for r in (resp, await console.get("/staff/nothing-here", headers=HTTPS)):
        assert "form-action 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"


async def test_secure_setting_applies_to_the_login_redirect(sqlite_url):
    prepare(sqlite_url).dispose()
    async with client_for(make_settings(sqlite_url, secure_cookie=True)) as client:
        page = await client.get("/staff/login")
        assert all("Secure" in c for c in set_cookies(page))
        # The test talks plain HTTP, so the jar holds Secure cookies back: send it by hand.
        cookie = page.cookies["wegweiser_staff"].value
        token = CSRF.search(await page.text()).group(1)
        client.session.cookie_jar.clear()
        resp = await client.post(
            "/staff/login",
            data={"username": "alice", "password": PASSWORD, "csrf": token},
            headers={"Cookie": f"wegweiser_staff={cookie}"},
            allow_redirects=False,
        )
        assert resp.status == 303
        assert set_cookies(resp) and all("Secure" in c for c in set_cookies(resp))


async def test_logout_revokes_a_copied_cookie(console):
    assert (await login(console, "alice")).status == 303
    copied = console.session.cookie_jar.filter_cookies(console.make_url("/staff/"))
    stolen = copied["wegweiser_staff"].value
    token = await csrf_of(console, "/staff/conversations")
    assert (await console.post("/staff/logout", data={"csrf": token})).status == 200
    console.session.cookie_jar.clear()
    console.session.cookie_jar.update_cookies(
        {"wegweiser_staff": stolen}, console.make_url("/staff/")
    )
    resp = await console.get("/staff/conversations", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/staff/login")


async def test_password_change_ends_the_other_sessions(db_url):
    prepare(db_url).dispose()
    settings = make_settings(db_url)
    async with client_for(settings) as a, client_for(settings) as b:
        assert (await login(a, "alice")).status == 303
        assert (await login(b, "alice")).status == 303
        assert (await b.get("/staff/conversations")).status == 200
        token = await csrf_of(a, "/staff/account")
        wrong = await a.post(
            "/staff/account",
            data={"csrf": token, "current": "not it at all", "new": "x" * 12, "repeat": "x" * 12},
        )
        assert "wrong" in await wrong.text() or "falsch" in await wrong.text()
        assert (await b.get("/staff/conversations")).status == 200  # nothing changed yet
        new = "a brand new passphrase"
        done = await a.post(
            "/staff/account",
            data={"csrf": token, "current": PASSWORD, "new": new, "repeat": new},
        )
        assert done.status == 200
        # The browser that changed it stays in; the other one is out.
        assert (await a.get("/staff/conversations")).status == 200
        resp = await b.get("/staff/conversations", allow_redirects=False)
        assert resp.status == 303 and "/staff/login" in resp.headers["Location"]
        engine = db.make_engine(db_url)
        assert auth.authenticate(engine, "alice", new, 5, 60)[0] is not None
        # An admin/CLI password reset ends every session, including this one.
        auth.set_password(engine, "alice", "reset by the admin")
        engine.dispose()
        resp = await a.get("/staff/conversations", allow_redirects=False)
        assert resp.status == 303


async def test_disabling_an_account_ends_its_sessions(sqlite_url):
    engine = prepare(sqlite_url)
    async with client_for(make_settings(sqlite_url)) as client:
        assert (await login(client, "rita")).status == 303
        assert (await client.get("/staff/conversations")).status == 200
        auth.set_active(engine, "rita", False)
        assert (await client.get("/staff/conversations", allow_redirects=False)).status == 303
        n = engine.connect().execute(sa.select(sa.func.count()).select_from(db.sessions))
        assert n.scalar() == 0
    engine.dispose()


async def test_absolute_session_lifetime(sqlite_url):
    prepare(sqlite_url).dispose()
    settings = make_settings(sqlite_url, session_idle=3600, session_lifetime=2)
    async with client_for(settings) as client:
        assert (await login(client, "alice")).status == 303
        # Busy all the time, yet the session ends after its lifetime.
        for _ in range(3):
            assert (await client.get("/staff/conversations")).status == 200
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
        resp = await client.get("/staff/conversations", allow_redirects=False)
        assert resp.status == 303 and "expired=1" in resp.headers["Location"]


async def test_no_store_on_every_page_with_personal_data(console):
    assert (await login(console, "alice")).status == 303
    key = await first_link(console)
    token = await csrf_of(console, "/staff/conversations")
    pages = [
        await console.get(path)
        for path in (
            "/staff/conversations",
            f"/staff/conversations/{key}",
            "/staff/misunderstood",
            "/staff/analytics",
            "/staff/audit",
            "/staff/users",
            "/staff/directory",
        )
    ]
    pages.append(await console.post("/staff/analytics.csv", data={"csrf": token}))
    pages.append(
        await console.post("/staff/misunderstood/export", data={"csrf": token, "language": "ar"})
    )
    for resp in pages:
        assert resp.status == 200, resp.url
        assert resp.headers["Cache-Control"] == "no-store", resp.url
        csp = resp.headers["Content-Security-Policy"]
        assert "base-uri 'none'" in csp and "form-action 'self'" in csp
        assert resp.headers["Referrer-Policy"] == REFERRER_POLICY
    static = await console.get("/staff/static/console.css")
    assert static.status == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_csv_cells_cannot_become_formulas():
    for bad in ("=2+3", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(bad) == "'" + bad
    assert csv_cell("Essen") == "Essen" and csv_cell(3) == 3 and csv_cell("") == ""


async def test_analytics_csv_neutralises_city_and_channel(sqlite_url):
    engine = prepare(sqlite_url)
    turn = seed.Turn("hallo", "find_office", 0.9, "de", slots={"language": "de", "city": "=2+3"})
    seed.insert(engine, "evil", seed.conversation("evil", T0, [turn], channel="@SUM(1)"))
    summary.refresh_all(engine)
    engine.dispose()
    async with client_for(make_settings(sqlite_url)) as client:
        assert (await login(client, "alice")).status == 303
        token = await csrf_of(client, "/staff/analytics")
        resp = await client.post(
            "/staff/analytics.csv", data={"csrf": token, "from": "2026-09-20", "to": "2026-09-30"}
        )
        rows = list(csv.reader(io.StringIO(await resp.text())))
    cells = [c for row in rows for c in row]
    assert "'=2+3" in cells and "'@SUM(1)" in cells
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)


async def test_audit_has_notes_failed_logins_searches(console):
    assert (await login(console, "rita", "definitely wrong")).status == 401
    assert (await login(console, "my secret pw typed as name")).status == 401
    assert (await login(console, "alice")).status == 303
    await console.get("/staff/conversations?q=Menschen")
    key = await first_link(console)
    token = await csrf_of(console, f"/staff/conversations/{key}")
    await console.post(f"/staff/conversations/{key}/notes", data={"csrf": token, "text": "prüfen"})
    engine = db.make_engine(_url(console))
    rows = engine.connect().execute(sa.select(db.audit)).all()
    engine.dispose()
    actions = [(r.username, r.action, r.detail) for r in rows]
    assert ("rita", "login-failed") in [(u, a) for u, a, _ in actions]
    assert ("?", "login-failed") in [(u, a) for u, a, _ in actions]
    assert not any("my secret pw" in (r.username + (r.detail or "")) for r in rows)
    assert any(a == "search" and "Menschen" in d for _u, a, d in actions)
    assert any(a == "note" and u == "alice" for u, a, _ in actions)


def _url(client) -> str:
    from bot.console.typedefs import SETTINGS

    return client.server.app._subapps[0][SETTINGS].db_url


def test_cli_account_changes_are_audited(sqlite_url):
    engine = prepare(sqlite_url)
    env = {
        **os.environ,
        "CONSOLE_DB_URL": sqlite_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        "NEWPW": "a long enough password",
    }
    run = [sys.executable, "-m", "bot.console", "users"]
    for args in (
        ["add", "bob", "--role", "admin", "--password-env", "NEWPW"],
        ["set-password", "rita", "--password-env", "NEWPW"],
        ["disable", "bob"],
        ["enable", "bob"],
    ):
        done = subprocess.run([*run, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    rows = engine.connect().execute(sa.select(db.audit).order_by(db.audit.c.id)).all()
    engine.dispose()
    assert [(r.action, r.target) for r in rows] == [
        ("user-create", "bob"),
        ("user-password", "rita"),
        ("user-disable", "bob"),
        ("user-enable", "bob"),
    ]
    assert all(r.username.startswith("cli:") for r in rows)


def test_client_address_trusts_forwarded_for_only_from_proxies():
    proxies = ("127.0.0.1", "10.0.0.0/8")
    assert client_address("127.0.0.1", "203.0.113.5", proxies) == "203.0.113.5"
    # Chain through two proxies; a spoofed left-most entry is ignored.
    assert client_address("127.0.0.1", "1.1.1.1, 203.0.113.5, 10.1.2.3", proxies) == "203.0.113.5"
    # Not from a proxy: the header is whatever the client wrote.
    assert client_address("198.51.100.7", "203.0.113.5", proxies) == "198.51.100.7"
    assert client_address("127.0.0.1", "203.0.113.5", ()) == "127.0.0.1"
    assert client_address("127.0.0.1", "not-an-ip", proxies) == "127.0.0.1"


@pytest.mark.parametrize("behind_proxy", [True, False])
async def test_login_throttle_behind_a_reverse_proxy(sqlite_url, behind_proxy):
    prepare(sqlite_url).dispose()
    settings = make_settings(
        sqlite_url,
        login_attempts=3,
        trusted_proxies=("127.0.0.1",) if behind_proxy else (),
    )
    async with client_for(settings) as client:

        async def attempt(forwarded: str) -> int:
            token = await csrf_of(client, "/staff/login")
            resp = await client.post(
                "/staff/login",
                data={"username": "alice", "password": "wrong wrong", "csrf": token},
                headers={"X-Forwarded-For": forwarded},
            )
            return resp.status

        assert [await attempt("203.0.113.5") for _ in range(3)] == [401, 401, 401]
        assert await attempt("203.0.113.5") == 429
        assert await attempt("203.0.113.5") == 429
        # Another client behind the same proxy is not blocked; without a trusted proxy,
        # a made-up header does not get anyone around the limit.
        assert await attempt("203.0.113.99") == (401 if behind_proxy else 429)
    engine = db.make_engine(sqlite_url)
    a = db.audit.c
    with engine.connect() as conn:
        throttled = conn.execute(sa.select(a.detail).where(a.action == "login-throttled")).all()
    engine.dispose()
    blocked = "203.0.113.5" if behind_proxy else "127.0.0.1"
    assert [d for (d,) in throttled].count(blocked) == 1  # logged once, not per attempt


async def test_admin_delete_is_logged_and_clears_daily_city_rows(db_url):
    engine = prepare(db_url)
    seed_known(engine)
    day = int(T0 // 86400) + 2  # de-human started on T0 + 2 days, city Dortmund
    c = db.daily_cities.c
    with engine.connect() as conn:
        assert conn.execute(sa.select(c.conversations).where(c.city == "Dortmund")).all() == [(1,)]
    async with client_for(make_settings(db_url)) as client:
        assert (await login(client, "alice")).status == 303
        key = await first_link(client, "?human=1")
        token = await csrf_of(client, f"/staff/conversations/{key}")
        resp = await client.post(f"/staff/conversations/{key}/delete", data={"csrf": token})
        assert resp.status == 200
    with engine.connect() as conn:
        log = conn.execute(sa.text("SELECT action, conversations, events FROM privacy_log")).all()
        assert [(a, n) for a, n, _e in log] == [("admin_deletion", 1)] and log[0][2] > 0
        assert conn.execute(sa.select(db.daily_cities).where(c.city == "Dortmund")).all() == []
        d = db.daily.c
        assert conn.execute(sa.select(db.daily).where(d.day == day)).all() == []
        left = conn.execute(
            sa.select(sa.func.count())
            .select_from(db.events)
            .where(db.events.c.sender_id == "de-human")
        ).scalar()
        assert left == 0
    engine.dispose()


async def test_admin_delete_waits_for_rasas_conversation_lock(sqlite_url):
    from rasa.core.lock_store import RedisLockStore

    engine = prepare(sqlite_url)
    seed_known(engine)
    prefix = "wwtest" + secrets.token_hex(4)
    lock_store = {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 2, "key_prefix": prefix}
    rasa_side = RedisLockStore(host="127.0.0.1", port=6379, db=2, key_prefix=prefix)
    async with client_for(make_settings(sqlite_url, lock_store=lock_store)) as client:
        assert (await login(client, "alice")).status == 303
        key = await first_link(client, "?human=1")
        token = await csrf_of(client, f"/staff/conversations/{key}")
        released_at = 0.0

        async def rasa_turn() -> None:
            nonlocal released_at
            # Rasa handling a message of this conversation for one second.
            async with rasa_side.lock("de-human", lock_lifetime=30):
                await asyncio.sleep(1.0)
                released_at = time.monotonic()

        turn = asyncio.create_task(rasa_turn())
        await asyncio.sleep(0.2)
        resp = await client.post(f"/staff/conversations/{key}/delete", data={"csrf": token})
        deleted_at = time.monotonic()
        await turn
        assert resp.status == 200
        assert released_at and deleted_at >= released_at
    left = engine.connect().execute(
        sa.select(sa.func.count()).select_from(db.events).where(db.events.c.sender_id == "de-human")
    )
    assert left.scalar() == 0
    assert rasa_side.get_lock("de-human") is None  # the console released its ticket
    engine.dispose()


def test_key_file_is_private_from_the_start(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSOLE_SECRET_KEY", raising=False)
    var = tmp_path / "var"
    old = os.umask(0o022)  # a permissive umask must not matter
    try:
        key = secret_key(var)
    finally:
        os.umask(old)
    assert len(key) == 32
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    path = var / "console-secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert base64.urlsafe_b64decode(path.read_bytes()) == key
    assert secret_key(var) == key  # read back, not replaced


async def test_local_conversation_lock_serialises_and_is_released():
    from bot.console import locks

    order: list[str] = []

    async def hold(name: str, seconds: float) -> None:
        async with locks.conversation_lock(None, "same-conversation"):
            order.append(f"{name}+")
            await asyncio.sleep(seconds)
            order.append(f"{name}-")

    await asyncio.gather(hold("a", 0.2), hold("b", 0.0), hold("c", 0.0))
    assert order == ["a+", "a-", "b+", "b-", "c+", "c-"]
    assert "same-conversation" not in locks._local
