"""Two Rasa workers behind one port (RASA_WORKERS=2), as production can run them.

Turns of one conversation land on either worker; the Redis lock store and the
PostgreSQL tracker store keep each conversation whole. The widget talks WebSocket,
so its connection stays with one worker and needs no sticky sessions.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import redis
import sqlalchemy as sa

from bot.console import db as console_db
from tests.helpers import texts
from tests.stack import essen_jobcenter_phones
from tests.web.conftest import widget_gets_the_essen_jobcenter_over_websocket
from tools.postgres import throwaway_database
from tools.processes import (
    RASA_SERVER,
    children,
    free_port,
    server_env,
    start,
    start_web,
    stop,
    write_shared_endpoints,
)

REDIS_DB = 5
CONVERSATIONS = 12


@dataclass(frozen=True)
class Workers:
    """The running two-worker Rasa, its web service, and where its state lives."""

    rasa_url: str
    web_url: str
    worker_pids: list[int]
    db_url: str
    lock_prefix: str


def worker_processes(pid: int, expected: int = 2, timeout: float = 120) -> list[int]:
    """The Sanic worker processes of the Rasa server ``pid`` once all have started."""
    deadline = time.monotonic() + timeout
    found = children(pid)
    while len(found) < expected and time.monotonic() < deadline:
        time.sleep(0.5)
        found = children(pid)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database with the tables in place, as `make run` leaves it.

    Migrating first matters: two workers starting at once would both try to create
    Rasa's events table.
    """
    with throwaway_database("wegweiser_workers") as url:
        engine = sa.create_engine(url)
        console_db.migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def workers(
    model_path: str,
    action_server: str,
    database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Workers]:
    """`rasa run` with SANIC_WORKERS=2, Redis lock store, PostgreSQL tracker store."""
    tmp = tmp_path_factory.mktemp("two-workers")
    prefix = "wegweisertest" + uuid.uuid4().hex[:8]
    endpoints = write_shared_endpoints(
        tmp / "endpoints.yml", action_server, database, REDIS_DB, prefix
    )
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    port = free_port()
    rasa = start(
        [
            *(*RASA_SERVER, "run", "--model", model_path),
            *("--interface", "127.0.0.1", "--port", str(port)),
            *("--endpoints", str(endpoints), "--credentials", "credentials.yml"),
        ],
        f"http://127.0.0.1:{port}/",
        tmp / "rasa.log",
        timeout=400,
        env=server_env(SANIC_WORKERS="2", WIDGET_ALLOWED_ORIGINS=web_url),
    )
    rasa_url = f"http://127.0.0.1:{port}"
    try:
        web = start_web(tmp, web_port, endpoints, rasa_url)
    except RuntimeError:
        stop(rasa)
        raise
    try:
        yield Workers(rasa_url, web_url, worker_processes(rasa.pid), database, prefix)
    finally:
        stop(web)
        stop(rasa)
        client = redis.Redis(db=REDIS_DB)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


async def conversation(session: aiohttp.ClientSession, url: str, sender: str) -> list[list[str]]:
    """Two turns that depend on each other: the office type, then the city."""
    turns = []
    for text in ("Ich suche das Jobcenter", "Essen"):
        async with session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as resp:
            assert resp.status == 200
            turns.append([m.get("text") or "" for m in await resp.json()])
    return turns


def test_conversations_stay_whole_while_both_workers_answer(workers: Workers):
    assert len(workers.worker_pids) == 2, "rasa did not start two workers"
    before = [cpu_seconds(pid) for pid in workers.worker_pids]
    senders = [f"workers-{uuid.uuid4().hex[:10]}" for _ in range(CONVERSATIONS)]

    async def run() -> list[list[list[str]]]:
        # A new connection per turn, as from many phones: the kernel hands each to a worker.
        connector = aiohttp.TCPConnector(force_close=True)
        timeout = aiohttp.ClientTimeout(total=300)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            return await asyncio.gather(
                *(conversation(session, workers.rasa_url, s) for s in senders)
            )

    results = asyncio.run(run())
    ask_city = texts("de", "utter_ask_city")
    phones = essen_jobcenter_phones()
    for sender, (first, second) in zip(senders, results):
        assert first[0] in ask_city, (sender, first)
        # The second turn only makes sense with the first one's state (the office type).
        assert any(p in "\n".join(second) for p in phones), (sender, second)
    spent = [cpu_seconds(pid) - b for pid, b in zip(workers.worker_pids, before)]
    # An idle worker stays at ~0 s; one turn costs ~0.03 s of CPU.
    assert all(s > 0.05 for s in spent), f"one worker did no work: {spent}"
    engine = sa.create_engine(workers.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' "
                "AND sender_id LIKE 'workers-%' GROUP BY sender_id"
            )
        ).all()
    engine.dispose()
    assert dict(rows) == {s: 2 for s in senders}  # every turn stored once, none lost


def test_widget_talks_to_two_workers_over_websocket(new_context, workers: Workers):
    page = new_context().new_page()
    widget_gets_the_essen_jobcenter_over_websocket(page, workers.web_url)
