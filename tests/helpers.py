"""Shared test helpers: free ports, subprocess servers, expected response texts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.languages import PROJECT_ROOT
from bot.responses import language_file, shared_responses

MODEL = Path(os.environ.get("WEGWEISER_MODEL", PROJECT_ROOT / "models" / "wegweiser.tar.gz"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
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
) -> subprocess.Popen:
    """Start a server process and wait until ``health_url`` answers 200."""
    handle = log.open("w")
    proc = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, env=env or server_env(), stdout=handle, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[:3]} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(health_url, timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"{argv[:3]} not healthy after {timeout}s:\n{log.read_text()[-3000:]}")


#: The tracker store of endpoints.yml (redaction, self-deletion).
REDACTING_STORE = "bot.privacy.tracker_store.RedactingSQLTrackerStore"


def write_endpoints(path: Path, action_url: str, db: Path, store: str = REDACTING_STORE) -> Path:
    """An endpoints file like endpoints.yml: the action server at ``action_url`` (selective
    domain) and a tracker store of type ``store`` on the SQLite file ``db``."""
    path.write_text(
        f"action_endpoint:\n  url: {action_url}\n  enable_selective_domain: true\n"
        f"tracker_store:\n  type: {store}\n  dialect: sqlite\n  db: {db}\n"
    )
    return path


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
) -> tuple[subprocess.Popen, str, Path]:
    """`rasa run` with ``credentials`` and a fresh SQLite tracker store in ``tmp``.

    Returns the process, its base URL and the tracker database. ``api_token`` turns the
    HTTP API on.
    """
    db = tmp / "tracker.db"
    endpoints = write_endpoints(tmp / "endpoints.yml", action_server, db, store)
    port = port or free_port()
    api = ["--enable-api", "--auth-token", api_token] if api_token else []
    proc = start(
        [
            *(str(BIN / "rasa"), "run", "--model", model_path, *api),
            *("--interface", "127.0.0.1", "--port", str(port)),
            *("--endpoints", str(endpoints), "--credentials", credentials),
        ],
        f"http://127.0.0.1:{port}/",
        tmp / "rasa.log",
        timeout=300,
        env=server_env(**env),
    )
    return proc, f"http://127.0.0.1:{port}", db


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def texts(language: str, response: str, **values: str) -> list[str]:
    """The texts a response may have in ``language``, with placeholders filled."""
    if response in shared_responses():
        variations = shared_responses()[response]
    else:
        variations = language_file(language)["responses"][response]
    out = []
    for variation in variations:
        text = variation["text"]
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        out.append(text)
    return out
