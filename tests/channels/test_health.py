"""The Rasa server's probes (bot/channels/health.py) against a real `rasa run`.

Rasa starts with its model on a model server (the deployment's "fetch at start" option,
docs/deploy.md) that first has no model, with its tracker store in PostgreSQL and its lock
store in Redis, both reached through TCP relays in this process. Switching a relay off
is a database outage as Rasa sees it (new connections refused, open ones cut) without
touching the shared local servers; switching it to "hang" is a database that accepts
connections and never answers.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2
import pytest

from tools.processes import RASA_SERVER, children, free_port, server_env, start, stop

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
REDIS = ("127.0.0.1", 6379)
PROBE_TIMEOUT = 1.5  # timeout_seconds of the channel in this test
API_TOKEN = "health-test-" + uuid.uuid4().hex


class Relay:
    """A TCP relay to ``target`` on a fixed local port: forwarding, refusing or hanging."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "off"
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def set(self, mode: str) -> None:
        """``forward``, ``hang`` (accept, never answer) or ``off`` (refuse)."""
        with self._lock:
            # Cut every open connection, as a server restart or network failure would.
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._conns.clear()
            self.mode = mode
            if mode == "off" and self._listener is not None:
                # shutdown() first: close() alone leaves a socket that another thread is
                # blocked in accept() on listening until that accept returns.
                try:
                    self._listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._listener.close()
                self._listener = None
            elif mode != "off" and self._listener is None:
                listener = socket.socket()
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(("127.0.0.1", self.port))
                listener.listen(64)
                self._listener = listener
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # listener closed
            with self._lock:
                if self.mode != "forward":
                    self._conns.append(client)  # "hang": held open, never answered
                    continue
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ModelServer(ThreadingHTTPServer):
    """Rasa's model server protocol: the model with an ETag, or 404 while there is none."""

    def __init__(self, model: Path) -> None:
        self.model: bytes | None = None
        self.model_file = model
        self.downloads = 0
        super().__init__(("127.0.0.1", 0), _ModelHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/models/wegweiser.tar.gz"

    def publish(self) -> None:
        self.model = self.model_file.read_bytes()


class _ModelHandler(BaseHTTPRequestHandler):
    server: ModelServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        model = self.server.model
        if model is None:
            self.send_response(404)
            self.end_headers()
            return
        etag = hashlib.sha256(model).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.server.downloads += 1
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("filename", "wegweiser.tar.gz")
        self.send_header("Content-Length", str(len(model)))
        self.end_headers()
        self.wfile.write(model)

    def log_message(self, *args: object) -> None:
        pass


def get(url: str, timeout: float = 10) -> tuple[int, dict]:
    """(status, JSON body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError as error:  # e.g. busy loading the model: no answer within ``timeout``
        return 0, {"error": repr(error)}


def wait_for(url: str, status: int, timeout: float) -> tuple[int, dict]:
    """Poll ``url`` until it answers ``status``; returns the last answer."""
    deadline = time.monotonic() + timeout
    answer = get(url)
    while answer[0] != status and time.monotonic() < deadline:
        time.sleep(0.5)
        answer = get(url)
    return answer


@dataclass
class Server:
    """The running Rasa, its relays, and what the probes said before the model arrived."""

    base: str
    pid: int
    postgres: Relay
    redis: Relay
    models: ModelServer
    live_without_model: tuple[int, dict]
    ready_without_model: tuple[int, dict]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (Rasa creates its table)."""
    name = "wegweiser_health_" + uuid.uuid4().hex[:12]
    admin = psycopg2.connect(**PG)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture(scope="module")
def server(
    model_path: str, action_server: str, database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`rasa run` with the health channel, model server, PostgreSQL and Redis."""
    tmp = tmp_path_factory.mktemp("health")
    postgres, redis = Relay((PG["host"], PG["port"])), Relay(REDIS)
    postgres.set("forward")
    redis.set("forward")
    models = ModelServer(Path(model_path))
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: {action_server}\n"
        f"models:\n  url: {models.url}\n  wait_time_between_pulls: 2\n"
        "tracker_store:\n  type: bot.privacy.tracker_store.RedactingSQLTrackerStore\n"
        f"  dialect: postgresql\n  url: 127.0.0.1\n  port: {postgres.port}\n"
        f"  db: {database}\n  username: {PG['user']}\n"
        f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {redis.port}\n  db: 1\n"
        f"  key_prefix: health{uuid.uuid4().hex[:8]}\n"
    )
    credentials = tmp / "credentials.yml"
    credentials.write_text(
        "bot.channels.rest.ValidatingRestInput:\n"
        f"bot.channels.health.HealthInput:\n  timeout_seconds: {PROBE_TIMEOUT}\n"
    )
    token_file = tmp / "rasa-auth-token"
    token_file.write_text(API_TOKEN + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # As the container image starts it: the API token from a mounted file, not argv.
    proc = start(
        [
            *(*RASA_SERVER, "run", "--enable-api"),
            *("--interface", "127.0.0.1", "--port", str(port)),
            *("--endpoints", str(endpoints), "--credentials", str(credentials)),
        ],
        f"{base}/health/live",
        tmp / "rasa.log",
        timeout=300,
        env=server_env(RASA_AUTH_TOKEN_FILE=str(token_file)),
    )
    try:
        live, ready = get(f"{base}/health/live"), get(f"{base}/health/ready")
        models.publish()  # the next pull (every 2 s) downloads and loads the model
        answer = wait_for(f"{base}/health/ready", 200, timeout=400)
        assert answer[0] == 200, f"not ready after the model was published: {answer}"
        yield Server(base, proc.pid, postgres, redis, models, live, ready)
    finally:
        stop(proc)
        postgres.set("off")
        redis.set("off")
        models.shutdown()


def test_without_a_model_live_but_not_ready(server: Server) -> None:
    """Rasa serves before its model server has a model: alive, but must get no traffic."""
    assert server.live_without_model == (200, {"status": "live"})
    assert server.ready_without_model == (
        503,
        {"status": "unavailable", "reason": "no model loaded"},
    )


def test_ready_with_model_database_and_lock_store(server: Server) -> None:
    """Once pulled from the model server, the model is loaded and both stores answer."""
    status, body = get(f"{server.base}/health/ready")
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {"model": "ok", "tracker_store": "ok", "lock_store": "ok"},
    }
    assert server.models.downloads == 1  # later pulls got 304 (same ETag)


def test_a_conversation_works_when_ready(server: Server) -> None:
    """Ready means usable: a REST turn is answered and stored in PostgreSQL."""
    sender = "health-" + uuid.uuid4().hex[:8]
    req = urllib.request.Request(
        f"{server.base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": "hallo"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert json.loads(resp.read())  # at least one bot message


def test_api_token_comes_from_the_file_not_the_command_line(server: Server) -> None:
    """bot.rasa_server: the HTTP API needs the token from RASA_AUTH_TOKEN_FILE, and no
    process listing shows it."""
    assert get(f"{server.base}/status")[0] == 401
    status, body = get(f"{server.base}/status?token={API_TOKEN}")
    assert status == 200 and body["model_file"]
    for pid in [server.pid, *children(server.pid)]:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        assert "bot.rasa_server" in cmdline or "rasa" in cmdline
        assert API_TOKEN not in cmdline


def test_database_down_is_not_ready_and_recovers(server: Server) -> None:
    """PostgreSQL refusing connections: 503 naming the tracker store; live stays 200;
    ready again without a restart once the database is back."""
    server.postgres.set("off")
    try:
        status, body = get(f"{server.base}/health/ready")
        assert status == 503
        assert body["status"] == "unavailable"
        assert body["checks"]["tracker_store"].startswith("unreachable (")
        assert body["checks"]["lock_store"] == "ok"
        assert body["reason"].startswith("tracker store unreachable")
        assert str(server.postgres.port) not in json.dumps(body)  # no addresses leak
        assert get(f"{server.base}/health/live") == (200, {"status": "live"})
    finally:
        server.postgres.set("forward")
    assert wait_for(f"{server.base}/health/ready", 200, timeout=15)[0] == 200


def test_hanging_database_answers_503_within_the_timeout(server: Server) -> None:
    """A database that accepts and never answers must not hang the probe."""
    server.postgres.set("hang")
    try:
        started = time.monotonic()
        status, body = get(f"{server.base}/health/ready")
        elapsed = time.monotonic() - started
        assert status == 503
        assert body["checks"]["tracker_store"] == f"no answer within {PROBE_TIMEOUT:g} s"
        assert elapsed < PROBE_TIMEOUT + 1.5
        # The hung check still occupies its thread: the next probe says so at once.
        started = time.monotonic()
        status, body = get(f"{server.base}/health/ready")
        assert status == 503 and body["checks"]["tracker_store"] == "check still running"
        assert time.monotonic() - started < 1.0
    finally:
        server.postgres.set("forward")  # cuts the hung connection, freeing the thread
    assert wait_for(f"{server.base}/health/ready", 200, timeout=15)[0] == 200


def test_redis_down_is_not_ready_and_recovers(server: Server) -> None:
    """The Redis lock store unreachable: 503 naming the lock store, then ready again."""
    server.redis.set("off")
    try:
        status, body = get(f"{server.base}/health/ready")
        assert status == 503
        assert body["checks"] == {
            "model": "ok",
            "tracker_store": "ok",
            "lock_store": body["checks"]["lock_store"],
        }
        assert body["checks"]["lock_store"].startswith("unreachable (")
        assert body["reason"].startswith("lock store unreachable")
    finally:
        server.redis.set("forward")
    assert wait_for(f"{server.base}/health/ready", 200, timeout=15)[0] == 200
