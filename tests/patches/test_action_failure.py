"""Faults of the action server: the person always gets an answer, and it recovers.

Real processes throughout: our Rasa server (JSON logs on) and the real rasa-sdk action
server, which is first not running, then running, then frozen with SIGSTOP (slow beyond
the time limit), then thawed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.offices.directory import load_directory
from tests.channels.test_rest_http import say
from tests.helpers import texts
from tools.processes import RASA_SERVER, free_port, start_actions, start_rasa, stop

#: The reply must come this fast when the action server is down or slow.
REPLY_WITHIN = 2.0
QUESTION = "Wo ist das Jobcenter in Essen?"


@pytest.fixture(scope="module")
def servers(
    model_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int, Path]]:
    """Rasa whose action endpoint points at a port where nothing listens yet."""
    tmp = tmp_path_factory.mktemp("action-faults")
    action_port = free_port()
    proc, url, _ = start_rasa(
        model_path,
        f"http://127.0.0.1:{action_port}/webhook",
        tmp,
        "credentials.yml",
        WEGWEISER_LOG_FORMAT="json",
    )
    yield url, action_port, tmp
    stop(proc)


def timed_say(base: str, sender: str, text: str) -> tuple[float, list[dict]]:
    start = time.monotonic()
    status, replies = say(base, sender, text)
    assert status == 200, replies
    return time.monotonic() - start, replies


def warm_up(base: str, attempts: int = 10) -> None:
    """A fresh action server's first calls load the directory and texts; on a busy
    machine they can exceed the time limit. Another conversation warms it up."""
    for _ in range(attempts):
        _, replies = timed_say(base, "warm-up-" + uuid.uuid4().hex, QUESTION)
        if jobcenter_card(replies):
            return
    raise AssertionError("the action server did not answer in time after starting")


def technical_problem(replies: list[dict]) -> bool:
    directory = load_directory()
    numbers = {"phone_115": "115", "bamf_phone": directory.by_id("de-bamf-buergerservice").phone}
    expected = set(texts("de", "utter_technical_problem", **numbers))
    return any(r.get("text") in expected for r in replies)


def jobcenter_card(replies: list[dict]) -> bool:
    names = {o.name for o in load_directory().find("Essen", "jobcenter")}
    return any(name in json.dumps(replies, ensure_ascii=False) for name in names)


def test_down_slow_and_back(servers):
    base, action_port, tmp = servers
    sender = "fault-" + uuid.uuid4().hex

    # 1. Nothing listens: one kind reply with the nationwide numbers, quickly (two
    #    custom actions fail in this turn; the person is told once).
    seconds, replies = timed_say(base, sender, QUESTION)
    assert technical_problem(replies) and len(replies) == 1, replies
    assert seconds < REPLY_WITHIN

    # 2. The action server comes up: the same conversation goes on normally.
    actions, _ = start_actions(tmp / "actions.log", port=action_port)
    try:
        warm_up(base)
        _, replies = timed_say(base, sender, QUESTION)
        assert jobcenter_card(replies) and not technical_problem(replies), replies

        # 3. Frozen (accepts connections, never answers): the time limit applies.
        os.kill(actions.pid, signal.SIGSTOP)
        try:
            seconds, replies = timed_say(base, sender, QUESTION)
        finally:
            os.kill(actions.pid, signal.SIGCONT)
        assert technical_problem(replies), replies
        assert seconds < REPLY_WITHIN

        # 4. Thawed: normal again.
        _, replies = timed_say(base, sender, QUESTION)
        assert jobcenter_card(replies) and not technical_problem(replies), replies
    finally:
        stop(actions)


def test_metrics_count_turns_and_action_errors(servers):
    base, _, _ = servers
    say(base, "metrics-" + uuid.uuid4().hex, QUESTION)  # the action server is down
    with urllib.request.urlopen(f"{base}/metrics/", timeout=10) as resp:
        body = resp.read().decode()
    assert 'wegweiser_turns_total{channel="rest",language="de",outcome="answered"}' in body
    errors = [
        line for line in body.splitlines() if line.startswith("wegweiser_action_errors_total{")
    ]
    assert errors and all('action="action_' in line for line in errors), errors
    assert "metrics-" not in body  # no conversation ids in labels
    assert "wegweiser_turn_seconds_bucket" in body


def test_logs_are_json_without_texts_or_ids(servers):
    base, _, tmp = servers
    sender = "privacy-" + uuid.uuid4().hex
    say(base, sender, "Meine Nummer ist 0176 12345678, wo ist das Jobcenter in Essen?")
    lines = [
        line for line in (tmp / "rasa.log").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    records = []
    for line in lines:
        if line.startswith("{"):
            records.append(json.loads(line))
    assert records and any(r["level"] == "ERROR" for r in records)
    assert {"time", "level", "logger", "message"} <= set(records[0])
    text = "\n".join(lines)
    assert sender not in text and sender[len("privacy-") :] not in text
    assert "0176 12345678" not in text
    # Whatever is not JSON is the web server's start-up banner, not a log record.
    assert all(line.startswith("{") for line in lines if "ERROR" in line or "WARNING" in line)


def test_server_refuses_an_api_without_a_token(tmp_path: Path, model_path: str):
    proc = subprocess.run(
        [*RASA_SERVER, "run", "--enable-api", "-m", model_path],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "RASA_AUTH_TOKEN"},
    )
    assert proc.returncode != 0
    assert "--enable-api needs RASA_AUTH_TOKEN" in proc.stderr
