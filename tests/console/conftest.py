"""Console fixtures: a database per backend (SQLite file, throwaway PostgreSQL database),
seeded with Rasa-shaped events, and the console mounted at /staff/ in a bare aiohttp app."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.console import auth, db, seed, summary
from bot.console.app import create_console_app
from bot.console.settings import ConsoleSettings
from tools.postgres import throwaway_database

PASSWORD = "correct horse battery"
T0 = 1_790_000_000.0  # 2026-09-21, a fixed point so date filters are deterministic


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """The console's own throwaway PostgreSQL database (its tests reset the schema)."""
    with throwaway_database("wegweiser_console") as url:
        yield url


def _reset_pg(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    url = request.getfixturevalue("pg_server_url")
    _reset_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """An empty SQLite database (for tests where the backend does not matter)."""
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def make_settings(url: str, **overrides) -> ConsoleSettings:
    return ConsoleSettings(
        db_url=url,
        secret_key=base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32))),
        refresh_interval=0.0,
        **overrides,
    )


def prepare(url: str) -> sa.engine.Engine:
    """Migrate, add an admin and a reviewer."""
    engine = db.make_engine(url)
    db.migrate(engine)
    auth.add_user(engine, "alice", PASSWORD, "admin")
    auth.add_user(engine, "rita", PASSWORD, "reviewer")
    return engine


def seed_known(engine: sa.engine.Engine) -> None:
    """A small, fully known set of conversations for filter assertions."""
    T = seed.Turn
    convs = {
        "ar-essen": (
            T0,
            "rest",
            [
                T(
                    "أين الجوب سنتر في إيسن؟",
                    "find_office",
                    0.93,
                    "ar",
                    slots={"language": "ar", "city": "Essen"},
                    office_id="essen-jobcenter",
                    utter="utter_office_found",
                ),
                T("شكرا", "thank", 0.97, "ar"),
            ],
        ),
        "ar-fallback": (
            T0 + 86400,
            "telegram",
            [
                T("بدي ورقة للشغل", "nlu_fallback", 0.31, "ar", slots={"language": "ar"}),
            ],
        ),
        "de-human": (
            T0 + 2 * 86400,
            "rest",
            [
                T(
                    "Ich möchte mit einem Menschen sprechen",
                    "request_human",
                    0.88,
                    "de",
                    slots={"language": "de", "city": "Dortmund"},
                ),
            ],
        ),
        "en-lowconf": (
            T0 + 3 * 86400,
            "socketio",
            [
                T(
                    "where can i get help with papers",
                    "ask_recognition",
                    0.42,
                    "en",
                    slots={"language": "en", "city": "Bochum"},
                ),
            ],
        ),
        "xss": (
            T0 + 4 * 86400,
            "rest",
            [
                T(
                    "<script>window.__xss = 1</script><b>bold</b>",
                    "nlu_fallback",
                    0.2,
                    "en",
                    slots={"language": "en"},
                ),
            ],
        ),
    }
    for sender, (start, channel, turns) in convs.items():
        seed.insert(engine, sender, seed.conversation(sender, start, turns, channel))
    summary.refresh_all(engine)


@pytest.fixture
async def console(sqlite_url: str) -> AsyncIterator[TestClient]:
    """Console on SQLite with known data, mounted at /staff/."""
    engine = prepare(sqlite_url)
    seed_known(engine)
    engine.dispose()
    async with client_for(make_settings(sqlite_url)) as client:
        yield client


class client_for:  # noqa: N801 (used like a function)
    """``async with client_for(settings) as client``: the console under /staff/."""

    def __init__(self, settings: ConsoleSettings) -> None:
        root = web.Application()
        root.add_subapp("/staff/", create_console_app(settings))
        self.client = TestClient(TestServer(root))

    async def __aenter__(self) -> TestClient:
        await self.client.start_server()
        return self.client

    async def __aexit__(self, *exc) -> None:
        await self.client.close()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def csrf_of(client: TestClient, path: str) -> str:
    resp = await client.get(path)
    text = await resp.text()
    match = CSRF.search(text)
    assert match, f"no csrf token on {path}: {resp.status}"
    return match.group(1)


async def login(client: TestClient, username: str, password: str = PASSWORD):
    token = await csrf_of(client, "/staff/login")
    return await client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf": token},
        allow_redirects=False,
    )
