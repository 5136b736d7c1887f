"""`make bench-console`: staff console latency on a large tracker store.

Seeds N conversations (default 100,000, about 2 million events) shaped as Rasa writes them
into SQLite and into a throwaway PostgreSQL database, folds them into the console summary
(timed), then requests the console's pages through the real aiohttp app (templates, auth,
middlewares included) and reports p50/p95 per page. Writes docs/benchmarks-console.md.

Env: BENCH_CONVERSATIONS (default 100000), BENCH_REPEATS (default 30),
BENCH_BACKENDS (default "sqlite,postgresql"), WEGWEISER_TEST_PG (admin URL, tools/postgres.py).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.console import auth, db, seed, summary
from bot.console.app import create_console_app
from bot.console.settings import ConsoleSettings
from bot.paths import PROJECT_ROOT
from tools.postgres import throwaway_database

N = int(os.environ.get("BENCH_CONVERSATIONS", "100000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
OUT = Path(os.environ.get("BENCH_OUT", PROJECT_ROOT / "docs" / "benchmarks-console.md"))
PASSWORD = "benchmark password"


def _copy(engine: sa.engine.Engine, rows: list[dict]) -> None:
    """PostgreSQL COPY of event rows (the fastest bulk path)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow(
            [
                r["sender_id"],
                r["type_name"],
                r["timestamp"],
                r["intent_name"] or None,
                r["action_name"] or None,
                r["data"],
            ]
        )
    buf.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.copy_expert(
                "COPY events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                "FROM STDIN WITH (FORMAT csv)",
                buf,
            )
        raw.commit()
    finally:
        raw.close()


def seed_db(engine: sa.engine.Engine, n: int) -> tuple[int, float]:
    """Bulk-insert n random conversations over the last 90 days; returns (events, seconds)."""
    rng = random.Random(42)
    now = time.time()
    t0 = time.perf_counter()
    total = 0
    batch: list[dict] = []
    postgres = engine.dialect.name == "postgresql"

    def flush() -> None:
        nonlocal total, batch
        if postgres:
            _copy(engine, batch)
        else:
            with engine.begin() as conn:
                conn.execute(db.events.insert(), batch)
        total += len(batch)
        batch = []

    for i in range(n):
        sender = f"bench-{i:06d}"
        start = now - rng.uniform(0, 90 * 86400)
        batch.extend(seed.rows(sender, seed.random_conversation(rng, sender, start)))
        if len(batch) >= 20_000:
            flush()
    if batch:
        flush()
    return total, time.perf_counter() - t0


async def measure(settings: ConsoleSettings, engine: sa.engine.Engine) -> dict[str, list[float]]:
    """Time each console page REPEATS times through the real app."""
    root = web.Application()
    root.add_subapp("/staff/", create_console_app(settings))
    client = TestClient(TestServer(root))
    await client.start_server()
    try:
        page = await (await client.get("/staff/login")).text()
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        resp = await client.post(
            "/staff/login", data={"username": "bench", "password": PASSWORD, "csrf": token}
        )
        assert resp.status == 200, resp.status
        rng = random.Random(7)
        with engine.connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    sa.text(
                        "SELECT sender_id FROM console_conversations ORDER BY sender_id LIMIT 2000"
                    )
                )
            ]
        list_page = await (await client.get("/staff/conversations")).text()
        key_of = {}
        # Transcript URLs carry encrypted ids; build them the way the app does.
        from bot.console.typedefs import URL_CIPHER

        cipher = client.server.app._subapps[0][URL_CIPHER]
        for sender in ids:
            key_of[sender] = cipher.encrypt(sender.encode()).decode()
        assert "conversation" in list_page
        today = dt.date.today()
        cases = {
            "list (newest first, page 1)": lambda: "/staff/conversations",
            "list: language=ar": lambda: "/staff/conversations?language=ar",
            "list: ar + fallback + confidence<0.5": lambda: (
                "/staff/conversations?language=ar&fallback=yes&below=0.5"
            ),
            "list: city + channel + date range": lambda: (
                f"/staff/conversations?city=Essen&channel=telegram"
                f"&from={today - dt.timedelta(days=30)}&to={today}"
            ),
            "list: intent=ask_language_course": lambda: (
                "/staff/conversations?intent=ask_language_course"
            ),
            "list: sort by lowest confidence": lambda: (
                "/staff/conversations?sort=confidence&dir=asc"
            ),
            "list: page 2000": lambda: "/staff/conversations?page=2000",
            "list: free-text search": lambda: "/staff/conversations?q=Deutschkurs",
            "list: free-text search, Arabic": lambda: "/staff/conversations?q=دورة لغة",
            "list: free-text search, 2 characters (scan)": lambda: "/staff/conversations?q=Wo",
            "transcript": lambda: "/staff/conversations/" + key_of[rng.choice(ids)],
            "misunderstood (ar, open)": lambda: "/staff/misunderstood?language=ar",
            "analytics (30 days)": lambda: "/staff/analytics",
        }
        results: dict[str, list[float]] = {}
        for name, path in cases.items():
            times = []
            for _ in range(REPEATS if "search" not in name else max(5, REPEATS // 3)):
                t0 = time.perf_counter()
                resp = await client.get(path())
                await resp.read()
                times.append((time.perf_counter() - t0) * 1000)
                assert resp.status == 200, (name, resp.status)
            results[name] = times
        return results
    finally:
        await client.close()


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_backend(name: str) -> dict:
    """Seed, fold and measure one backend; cleans up after itself."""
    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
            return _run_on(name, f"sqlite:///{tmp}/tracker.db")
    with throwaway_database("wegweiser_bench") as url:
        return _run_on(name, url)


def _run_on(name: str, url: str) -> dict:
    engine = db.make_engine(url)
    # Like a deployment that ran Rasa before the console existed: Rasa's own table first,
    # bulk-loaded, then the console migration adds its tables and indexes (timed).
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine)
    if name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
    events, seed_s = seed_db(engine, N)
    t0 = time.perf_counter()
    db.migrate(engine)
    migrate_s = time.perf_counter() - t0
    auth.add_user(engine, "bench", PASSWORD, "admin")
    t0 = time.perf_counter()
    folded = summary.refresh_all(engine)
    fold_s = time.perf_counter() - t0
    if name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    settings = ConsoleSettings(
        db_url=url,
        secret_key=base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32))),
    )
    load = [os.getloadavg()[0]]
    results = asyncio.run(measure(settings, engine))
    load.append(os.getloadavg()[0])
    engine.dispose()
    return {
        "events": events,
        "seed_s": seed_s,
        "fold_s": fold_s,
        "folded": folded,
        "migrate_s": migrate_s,
        "results": results,
        "load": load,
    }


def main() -> None:
    """Run every backend and write the report (after each backend, so partial runs count)."""
    report: dict[str, dict] = {}
    for backend in BACKENDS:
        report[backend] = run_backend(backend)
        write(report)
    print(
        json.dumps({b: {k: v for k, v in r.items() if k != "results"} for b, r in report.items()})
    )


def write(report: dict[str, dict]) -> None:
    """Render docs/benchmarks-console.md."""
    lines = [
        "# Staff console benchmark",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `make bench-console` "
        f"(bench/console.py) on {platform.node()}: {os.cpu_count()} CPU cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        "shared with other jobs (numbers are pessimistic).",
        "",
        f"Data: {N:,} conversations seeded as Rasa's SQLTrackerStore writes them (random language, "
        "city, channel, 2–4 turns, ~8 % fallbacks). Each page was requested "
        f"{REPEATS} times (free-text search: {max(5, REPEATS // 3)}) through the real console app "
        "(aiohttp, auth, templates), one request at a time; times in milliseconds.",
        "",
    ]
    for backend, r in report.items():
        lines += [
            f"## {backend}",
            "",
            f"- events: {r['events']:,}; seeding (bulk insert): {r['seed_s']:.0f} s; "
            f"console migration incl. its indexes on events: {r['migrate_s']:.0f} s; "
            f"first fold into the summary table: {r['fold_s']:.0f} s "
            f"({r['folded'] / max(r['fold_s'], 1e-9):,.0f} events/s; "
            "later folds only read new events)",
            f"- load average (1 min) when the measurements started / ended: "
            f"{r['load'][0]:.1f} / {r['load'][1]:.1f} on {os.cpu_count()} cores",
            "",
            "| page | p50 ms | p95 ms |",
            "|---|---:|---:|",
        ]
        for name, times in r["results"].items():
            lines.append(f"| {name} | {pct(times, 0.5):.0f} | {pct(times, 0.95):.0f} |")
        lines.append("")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(
        json.dumps({b: {k: v for k, v in r.items() if k != "results"} for b, r in report.items()})
    )


if __name__ == "__main__":
    main()
