"""Login, lockout, CSRF, sessions, roles, cookie flags and the staff CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from bot.console import auth, db
from bot.paths import PROJECT_ROOT
from tests.console.conftest import PASSWORD, client_for, csrf_of, login, make_settings, prepare


async def test_login_logout_and_wrong_password(console):
    resp = await console.get("/staff/conversations", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/staff/login")
    bad = await login(console, "alice", "wrong password!")
    assert bad.status == 401
    assert "Wrong username or password" in await bad.text() or "falsch" in await bad.text()
    unknown = await login(console, "mallory", PASSWORD)
    assert unknown.status == 401
    ok = await login(console, "alice")
    assert ok.status == 303 and ok.headers["Location"] == "/staff/conversations"
    page = await console.get("/staff/conversations")
    assert page.status == 200 and 'id="total">5<' in await page.text()
    token = await csrf_of(console, "/staff/conversations")
    out = await console.post("/staff/logout", data={"csrf": token}, allow_redirects=False)
    assert out.status == 303
    again = await console.get("/staff/conversations", allow_redirects=False)
    assert again.status == 303


async def test_lockout_after_repeated_failures(console):
    for _ in range(4):
        assert (await login(console, "rita", "nope nope nope")).status == 401
    fifth = await login(console, "rita", "nope nope nope")
    assert fifth.status == 401 and (
        "locked" in await fifth.text() or "gesperrt" in await fifth.text()
    )
    # Even the right password is refused while locked.
    right = await login(console, "rita")
    assert right.status == 401
    # An admin unlocks; then the reviewer gets in.
    assert (await login(console, "alice")).status == 303
    users = await (await console.get("/staff/users")).text()
    assert "rita" in users
    engine = db.make_engine(make_settings_url(console))
    rita = next(u for u in auth.list_users(engine) if u["username"] == "rita")
    token = await csrf_of(console, "/staff/users")
    resp = await console.post(
        "/staff/users",
        data={"csrf": token, "op": "unlock", "id": str(rita["id"])},
        allow_redirects=False,
    )
    assert resp.status == 303
    console.session.cookie_jar.clear()
    assert (await login(console, "rita")).status == 303
    engine.dispose()


def make_settings_url(client) -> str:
    from bot.console.typedefs import SETTINGS

    sub = client.server.app._subapps[0]
    return sub[SETTINGS].db_url


async def test_csrf_missing_or_invalid_is_403(console):
    # Login form itself.
    await console.get("/staff/login")
    resp = await console.post("/staff/login", data={"username": "alice", "password": PASSWORD})
    assert resp.status == 403
    resp = await console.post(
        "/staff/login", data={"username": "alice", "password": PASSWORD, "csrf": "forged"}
    )
    assert resp.status == 403
    assert (await login(console, "alice")).status == 303
    page = await (await console.get("/staff/conversations")).text()
    link = page.split('href="/staff/conversations/', 1)[1].split('"', 1)[0]
    for data in ({"tag": "praise"}, {"tag": "praise", "csrf": "x" * 43}):
        resp = await console.post(f"/staff/conversations/{link}/tags", data=data)
        assert resp.status == 403
        assert "Traceback" not in await resp.text()
    token = await csrf_of(console, f"/staff/conversations/{link}")
    resp = await console.post(
        f"/staff/conversations/{link}/tags", data={"tag": "praise", "csrf": token}
    )
    assert resp.status == 200 and "praise" in await resp.text() or "Lob" in await resp.text()


async def test_reviewer_cannot_reach_admin_pages(console):
    assert (await login(console, "rita")).status == 303
    for path in ("/staff/users", "/staff/audit", "/staff/directory"):
        resp = await console.get(path)
        assert resp.status == 403, path
    token = await csrf_of(console, "/staff/conversations")
    for path, data in (
        ("/staff/misunderstood/export", {"language": "ar"}),
        ("/staff/analytics.csv", {}),
        (
            "/staff/users",
            {"op": "create", "username": "eve", "password": "x" * 12, "role": "admin"},
        ),
    ):
        resp = await console.post(path, data={**data, "csrf": token})
        assert resp.status == 403, path
    page = await (await console.get("/staff/conversations")).text()
    assert "/staff/users" not in page and "/staff/audit" not in page
    link = page.split('href="/staff/conversations/', 1)[1].split('"', 1)[0]
    resp = await console.post(f"/staff/conversations/{link}/delete", data={"csrf": token})
    assert resp.status == 403


async def test_cookie_flags_and_secure_behind_https(console):
    resp = await console.get("/staff/login")
    cookie = resp.cookies["wegweiser_staff"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/staff/"
    assert not cookie["secure"]
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    console.session.cookie_jar.clear()
    resp = await console.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert resp.cookies["wegweiser_staff"]["secure"]


async def test_idle_session_expires(sqlite_url):
    prepare(sqlite_url).dispose()
    async with client_for(make_settings(sqlite_url, session_idle=1)) as client:
        assert (await login(client, "alice")).status == 303
        assert (await client.get("/staff/conversations")).status == 200
        await asyncio.sleep(1.5)
        resp = await client.get("/staff/conversations", allow_redirects=False)
        assert resp.status == 303 and "expired=1" in resp.headers["Location"]
        page = await (await client.get(resp.headers["Location"])).text()
        assert "expired" in page or "abgelaufen" in page


async def test_tampered_cookie_is_just_logged_out(console):
    console.session.cookie_jar.update_cookies({"wegweiser_staff": "garbage"})
    resp = await console.get("/staff/conversations", allow_redirects=False)
    assert resp.status == 303


def test_staff_cli_adds_users(sqlite_url):
    env = {
        **os.environ,
        "CONSOLE_DB_URL": sqlite_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        "NEWPW": "a long enough password",
    }
    run = [sys.executable, "-m", "bot.console", "users"]
    done = subprocess.run(
        [*run, "add", "bob", "--role", "admin", "--password-env", "NEWPW"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    short = subprocess.run(
        [*run, "add", "eve"],
        input="short\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert short.returncode == 2 and "at least" in short.stderr
    engine = db.make_engine(sqlite_url)
    user, reason = auth.authenticate(engine, "bob", "a long enough password", 5, 60)
    assert user is not None and user.role == "admin" and reason == "ok"
    stored = engine.connect().execute(db.users.select()).first().password_hash
    assert stored.startswith("$argon2id$")
    engine.dispose()
