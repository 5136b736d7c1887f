"""REST latency and throughput with one and with two Rasa workers (RASA_WORKERS).

    python -m bench.scaling             # writes docs/benchmarks-scaling.md

Both runs use the production stores: PostgreSQL tracker store (with redaction) and the
Redis lock store, which several workers need. The load is bench.run's: conversations of
the same turns, each waiting for its answer before the next message.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import platform
import tempfile
import uuid
from pathlib import Path

import redis
import sqlalchemy as sa

from bench.run import TOKEN, cpu_model, pct, rest_load, rss_mb
from bot.console import db as console_db
from bot.paths import PROJECT_ROOT
from tools.postgres import throwaway_database
from tools.processes import (
    ACTION_SERVER,
    RASA_SERVER,
    children,
    free_port,
    server_env,
    start,
    stop,
    write_shared_endpoints,
)

REDIS_DB = 6
LOADS = ((1, 60), (10, 20), (50, 6))  # (concurrent conversations, turns each)
TARGET = PROJECT_ROOT / "docs" / "benchmarks-scaling.md"


def process_tree_rss(pid: int) -> float:
    """RSS in MiB of a process and its children (the workers)."""
    total = rss_mb(pid)
    for child in children(pid):
        with contextlib.suppress(OSError):  # a worker that ended meanwhile
            total += rss_mb(child)
    return total


def measure(workers: int, action_url: str, logs: Path) -> dict:
    """Start Rasa with ``workers`` workers on a fresh database and load it."""
    with throwaway_database("wegweiser_bench") as database:
        engine = sa.create_engine(database)
        console_db.migrate(engine)  # as `make run` does before Rasa starts
        engine.dispose()
        return _measure_on(database, workers, action_url, logs)


def _measure_on(database: str, workers: int, action_url: str, logs: Path) -> dict:
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    config = write_shared_endpoints(
        logs / f"endpoints-{workers}.yml", action_url, database, REDIS_DB, prefix
    )
    port = free_port()
    proc = start(
        [
            *(*RASA_SERVER, "run", "--model", str(PROJECT_ROOT / "models/wegweiser.tar.gz")),
            "--enable-api",
            *("--interface", "127.0.0.1", "--port", str(port), "--endpoints", str(config)),
        ],
        f"http://127.0.0.1:{port}/",
        logs / f"rasa-{workers}.log",
        timeout=400,
        env=server_env(SANIC_WORKERS=str(workers), RASA_AUTH_TOKEN=TOKEN),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(rest_load(base, 2 * workers, 5))  # warm-up, every worker
        result: dict = {}
        for concurrency, turns in LOADS:
            times, tps = asyncio.run(rest_load(base, concurrency, turns))
            result[concurrency] = (pct(times, 50), pct(times, 95), tps)
        result["rss"] = process_tree_rss(proc.pid)
    finally:
        stop(proc)
        client = redis.Redis(db=REDIS_DB)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    return result


def report(rows: dict[int, dict], load_before: tuple[float, float, float]) -> str:
    """The text of docs/benchmarks-scaling.md."""
    lines = [
        "# Scaling: one and two Rasa workers",
        "",
        f"Measured {dt.date.today().isoformat()} by `make bench-scaling` on "
        f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}. "
        "Load client, action server and PostgreSQL share the same cores. Load average "
        f"before: {' / '.join(f'{x:.1f}' for x in load_before)}.",
        "",
        "Production stores in both runs: PostgreSQL tracker store with redaction, Redis lock "
        "store. REST turns through the real action server; latency in ms.",
        "",
        "| workers | 1 conv p50/p95 | 10 conv p50/p95, turns/s | 50 conv p50/p95, turns/s "
        "| RSS of all Rasa processes (MiB) |",
        "|---|---|---|---|---|",
    ]
    for workers, r in rows.items():
        lines.append(
            f"| {workers} | {r[1][0]:.0f} / {r[1][1]:.0f} | "
            f"{r[10][0]:.0f} / {r[10][1]:.0f}, {r[10][2]:.1f} | "
            f"{r[50][0]:.0f} / {r[50][1]:.0f}, {r[50][2]:.1f} | {r['rss']:.0f} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Measure one and two workers and write docs/benchmarks-scaling.md."""
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="bench-scaling-"))
    action_port = free_port()
    actions = start(
        [*ACTION_SERVER, "--port", str(action_port)],
        f"http://127.0.0.1:{action_port}/health",
        logs / "actions.log",
    )
    try:
        rows = {w: measure(w, f"http://127.0.0.1:{action_port}/webhook", logs) for w in (1, 2)}
    finally:
        stop(actions)
    TARGET.write_text(report(rows, load_before), encoding="utf-8")
    print(TARGET.read_text(encoding="utf-8"))
    print(f"logs: {logs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
