"""`make run`'s process group (bot/supervisor.py): all services start, talk, and stop on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from bot.privacy.pseudonyms import KEY_ENV
from bot.supervisor import rasa_workers
from tools.processes import MODEL, free_port, server_env, write_endpoints

STARTUP_SECONDS = 240  # loading the model takes a while on 2 shared cores


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status
    except OSError:
        return 0


@pytest.mark.model
@pytest.mark.server
def test_group_starts_answers_and_stops_on_ctrl_c(tmp_path: Path):
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    endpoints = write_endpoints(
        tmp_path / "endpoints.yml",
        f"http://127.0.0.1:{action_port}/webhook",
        tmp_path / "tracker.db",
    )
    env = server_env(
        RASA_PORT=str(rasa_port),
        WEB_PORT=str(web_port),
        ENDPOINTS=str(endpoints),
        MODEL=str(MODEL),
        RASA_AUTH_TOKEN="supervisor-test-token",
        CONSOLE_SECRET_KEY="c3VwZXJ2aXNvci10ZXN0LWNvbnNvbGUta2V5LTAxMjM=",
        **{KEY_ENV: "supervisor-test-key"},
    )
    log = (tmp_path / "supervisor.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.supervisor"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[1],
    )
    urls = [
        f"http://127.0.0.1:{rasa_port}/",
        f"http://127.0.0.1:{action_port}/health",
        f"http://127.0.0.1:{web_port}/healthz",
    ]
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and not all(get(u) == 200 for u in urls):
            assert proc.poll() is None, (tmp_path / "supervisor.log").read_text()[-3000:]
            time.sleep(1)
        assert [get(u) for u in urls] == [200, 200, 200], (tmp_path / "supervisor.log").read_text()

        printed = (tmp_path / "supervisor.log").read_text()
        assert f"http://127.0.0.1:{rasa_port}/" in printed
        assert "/staff/" in printed

        # The HTTP API wants the token; the REST channel answers through the action server.
        assert get(f"http://127.0.0.1:{rasa_port}/status") != 200
        assert get(f"http://127.0.0.1:{rasa_port}/status?token=supervisor-test-token") == 200
        # ... which no process shows on its command line (`ps` shows argv to everyone).
        cmdlines = command_lines()
        assert any(b"bot.rasa_server" in c for c in cmdlines)
        assert not [c for c in cmdlines if b"supervisor-test-token" in c]
        request = urllib.request.Request(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "supervisor-1", "message": "Jobcenter Essen"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            replies = json.loads(resp.read())
        assert "jobcenter essen" in json.dumps(replies, ensure_ascii=False).lower(), replies

        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=40) == 0
        assert [get(u) for u in urls] == [0, 0, 0], "a service outlived the group"
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()


def command_lines() -> list[bytes]:
    """argv of every process on the machine, as `ps` shows them."""
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(path.read_bytes())
        except OSError:  # the process ended meanwhile
            continue
    return lines


def test_several_workers_need_a_shared_lock_store(tmp_path: Path):
    local = write_endpoints(tmp_path / "endpoints.yml", "http://127.0.0.1:5055/webhook", tmp_path)
    assert rasa_workers(local, None) == 1
    assert rasa_workers(local, "1") == 1
    with pytest.raises(SystemExit, match="RASA_WORKERS=2 needs a shared lock store"):
        rasa_workers(local, "2")
    production = PROJECT_ROOT / "endpoints.production.yml"
    assert rasa_workers(production, "2") == 2
    for bad in ("two", "0"):
        with pytest.raises(SystemExit, match="RASA_WORKERS must"):
            rasa_workers(production, bad)
