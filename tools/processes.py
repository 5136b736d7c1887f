"""Start and stop the real servers as subprocesses (tests and benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.paths import PROJECT_ROOT

MODEL = Path(os.environ.get("WEGWEISER_MODEL", PROJECT_ROOT / "models" / "wegweiser.tar.gz"))
BIN = Path(sys.executable).parent
#: How our Rasa servers start (patches installed, token from the environment).
RASA_SERVER = [sys.executable, "-m", "bot.rasa_server"]
#: The rasa-sdk action server with our actions (without TensorFlow: bot/action_server.py).
ACTION_SERVER = [sys.executable, "-m", "bot.action_server", "--actions", "actions"]
#: The tracker store of endpoints.yml (redaction, self-deletion).
REDACTING_STORE = "bot.privacy.tracker_store.RedactingSQLTrackerStore"
#: The lock store of endpoints.production.yml (safe across processes).
ATOMIC_LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """The environment our servers run with, plus ``extra``."""
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        **extra,
    }


def start(
    argv: list[str],
    health_url: str,
    log: Path,
    timeout: float = 180.0,
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT_ROOT,
) -> subprocess.Popen[bytes]:
    """Start a server process (in ``cwd``) and wait until ``health_url`` answers 200."""
    handle = log.open("w")
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env or server_env(), stdout=handle, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[:4]} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(health_url, timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"{argv[:4]} not healthy after {timeout}s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate ``proc`` and wait for it (kill after 20 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def write_endpoints(path: Path, action_url: str, db: Path, store: str = REDACTING_STORE) -> Path:
    """Write an endpoints file like endpoints.yml.

    The action server at ``action_url`` (selective domain) and a tracker store of type
    ``store`` on the SQLite file ``db``.
    """
    path.write_text(
        f"action_endpoint:\n  url: {action_url}\n  enable_selective_domain: true\n"
        f"tracker_store:\n  type: {store}\n  dialect: sqlite\n  db: {db}\n"
    )
    return path


def start_actions(log: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The real rasa-sdk action server; returns the process and its webhook URL."""
    port = port or free_port()
    proc = start([*ACTION_SERVER, "--port", str(port)], f"http://127.0.0.1:{port}/health", log)
    return proc, f"http://127.0.0.1:{port}/webhook"


def start_rasa(
    model_path: str,
    action_server: str,
    tmp: Path,
    credentials: str,
    *,
    port: int | None = None,
    api_token: str | None = None,
    store: str = REDACTING_STORE,
    **env: str,
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """Our Rasa server with ``credentials`` and a fresh SQLite tracker store in ``tmp``.

    Returns the process, its base URL and the tracker database. ``api_token`` turns the
    HTTP API on (the token goes through the environment, never argv).
    """
    db = tmp / "tracker.db"
    endpoints = write_endpoints(tmp / "endpoints.yml", action_server, db, store)
    port = port or free_port()
    api = ["--enable-api"] if api_token else []
    if api_token:
        env = {**env, "RASA_AUTH_TOKEN": api_token}
    proc = start(
        [
            *RASA_SERVER,
            *("run", "--model", model_path, *api),
            *("--interface", "127.0.0.1", "--port", str(port)),
            *("--endpoints", str(endpoints), "--credentials", credentials),
        ],
        f"http://127.0.0.1:{port}/",
        tmp / "rasa.log",
        timeout=300,
        env=server_env(**env),
    )
    return proc, f"http://127.0.0.1:{port}", db


def write_shared_endpoints(
    path: Path, action_url: str, database_url: str, redis_db: int, key_prefix: str
) -> Path:
    """Write endpoints as several Rasa processes share them (endpoints.production.yml).

    The PostgreSQL tracker store at ``database_url`` and the Redis lock store.
    """
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    path.write_text(
        f"action_endpoint:\n  url: {action_url}\n  enable_selective_domain: true\n"
        f"tracker_store:\n  type: {REDACTING_STORE}\n  dialect: postgresql\n"
        f"  url: {url.host}\n  port: {url.port}\n  db: {url.database}\n  username: {url.username}\n"
        f"lock_store:\n  type: {ATOMIC_LOCK_STORE}\n  url: 127.0.0.1\n  port: 6379\n"
        f"  db: {redis_db}\n"
        f"  key_prefix: {key_prefix}\n"
    )
    return path


def start_web(
    log_dir: Path, port: int, endpoints: Path, rasa_url: str, **env: str
) -> subprocess.Popen[bytes]:
    """The web service (widget + staff console) on ``port``, wired to Rasa at ``rasa_url``.

    The console and the retention job read the tracker database of ``endpoints``; only
    the web service's own origin may embed the widget.
    """
    url = f"http://127.0.0.1:{port}"
    return start(
        [sys.executable, "-m", "bot.web"],
        f"{url}/healthz",
        log_dir / "web.log",
        timeout=60,
        env=server_env(
            WEB_PORT=str(port),
            ENDPOINTS=str(endpoints),
            RASA_PUBLIC_URL=rasa_url,
            WIDGET_ALLOWED_ORIGINS=url,
            **env,
        ),
    )


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Sanic forks its workers), sorted."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)
