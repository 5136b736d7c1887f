"""The real `rasa run` server: auth, parse output, REST channel, bad input, persistence."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import texts
from tools.processes import start_rasa, stop

TOKEN = "test-token-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def rasa_server(
    model_path: str, action_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("rasa")
    proc, url, db = start_rasa(
        model_path, action_server, tmp, "credentials.yml", api_token=TOKEN, store="SQL"
    )
    yield url, db
    stop(proc)


def request(url: str, body: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def say(base: str, sender: str, message, **metadata):
    body = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    return request(f"{base}/webhooks/rest/webhook", json.dumps(body).encode())


def test_api_requires_the_token(rasa_server):
    base, _ = rasa_server
    status, _ = request(f"{base}/model/parse", json.dumps({"text": "hallo"}).encode())
    assert status == 401
    status, body = request(
        f"{base}/model/parse?token={TOKEN}",
        json.dumps({"text": "Bonjour, je cherche un cours d'allemand"}).encode(),
    )
    assert status == 200
    assert body["language"]["code"] == "fr"
    assert body["language"]["source"] in ("text", "script")


def test_metadata_hint_reaches_the_nlu(rasa_server):
    base, _ = rasa_server
    status, replies = say(base, "hint-" + uuid.uuid4().hex, "/greet", language="uk-UA")
    assert status == 200
    assert replies[0]["text"] in texts("uk", "utter_greet")


def test_arabic_question_beats_a_german_browser_hint(rasa_server):
    """Issue 15: the first, short Arabic message decides, though the widget says "de"."""
    base, _ = rasa_server
    sender = "script-" + uuid.uuid4().hex
    status, replies = say(base, sender, "أين الجوب سنتر في دورتموند؟", language="de")
    assert status == 200 and replies, replies
    reply = " ".join(r.get("text") or "" for r in replies)
    arabic = sum(0x0600 <= ord(c) <= 0x06FF for c in reply)
    latin = sum(c.isascii() and c.isalpha() for c in reply)
    assert arabic > latin, reply  # names, streets and URLs stay Latin; the sentences not
    status, tracker = request(f"{base}/conversations/{sender}/tracker?token={TOKEN}")
    assert status == 200
    assert tracker["slots"]["language"] == "ar"


BAD_INPUTS = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "very long": "Jobcenter Essen " * 700,
    "emoji only": "😀🙏👍",
    "mixed script": "Hallo مرحبا привет jobcenter",
    "control characters": "hallo\x00\x07\x1b[31m welt",
    "right-to-left override": "\u202ehallo wo ist das jobcenter\u202c",
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_reply_and_the_conversation_continues(rasa_server, name):
    base, _ = rasa_server
    sender = f"bad-{uuid.uuid4().hex}"
    status, replies = say(base, sender, BAD_INPUTS[name])
    assert status == 200, replies
    assert replies and all(r.get("text") or r.get("buttons") or r.get("custom") for r in replies)
    status, replies = say(base, sender, "Hallo, guten Tag")
    assert status == 200 and replies[0]["text"] in texts("de", "utter_greet")


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"sender": "x"}', b"[1, 2]", b'{"sender": "x", "message": 5}']
)
def test_malformed_requests_get_a_clear_4xx(rasa_server, body):
    base, _ = rasa_server
    status, _ = request(f"{base}/webhooks/rest/webhook", body)
    assert 400 <= status < 500


def test_conversations_are_stored_in_sqlite(rasa_server):
    base, db = rasa_server
    sender = "stored-" + uuid.uuid4().hex
    say(base, sender, "Hello, where is the jobcenter in Bochum?")
    with sqlite3.connect(db) as conn:
        types = [
            r[0]
            for r in conn.execute(
                "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
            )
        ]
    assert "user" in types and "bot" in types


@pytest.mark.parametrize("channel", ["telegram", "facebook", "twilio", "whatsapp"])
def test_unconfigured_messengers_are_disabled_not_fatal(rasa_server, channel):
    """credentials.yml lists every messenger; without their secrets Rasa still runs."""
    base, _ = rasa_server
    with urllib.request.urlopen(f"{base}/webhooks/{channel}/", timeout=10) as resp:
        assert json.loads(resp.read()) == {"status": "disabled"}
    status, _ = request(f"{base}/webhooks/{channel}/webhook", b"{}")
    assert status == 503
